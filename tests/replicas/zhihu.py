"""A local replica of the parts of Zhihu (知乎专栏) that app/platforms/zhihu.py relies on, for tests only.

Shapes follow public code and field notes (docs/platforms.md); nothing here was checked against zhihu.com.
"""

from __future__ import annotations

import html
import json
import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import waitress
from flask import Flask, Response, jsonify, redirect, request

from run import stop_http

FIRST_ID = 1_790_000_000_000_000_001  # > 2^53 and not a double: a trip through a JS number changes it
# risk_next: the next publish answers 40352; flagged: /write redirects to /account/unhuman; logged_out: z_c0 is
# refused; reject_next: the next publish is rejected; draft_only: publishing saves a draft and opens /p/<id>/edit;
# list_broken: the members' articles API answers 500; excerpt_only: that list carries no full content
KNOBS = ("risk_next", "flagged", "logged_out", "reject_next", "draft_only", "list_broken", "excerpt_only")

PLAIN_PAGE = '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>知乎</title><p class="Msg">__TEXT__</p>'
ARTICLE_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>知乎专栏</title></head>
<body><article class="Post-Main"><header class="Post-Header"><h1 class="Post-Title">__TITLE__</h1></header>
<div class="Post-RichText RichText ztext">__BODY__</div></article></body></html>"""

# The editor: a title textarea, a Draft.js-like body that keeps its OWN state (changed only through its
# beforeinput and paste handlers, then re-rendered: writing the DOM directly changes nothing it publishes),
# and 发布 → a settings panel → 发布, which calls the publish API and follows its answer.
EDITOR_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>写文章 - 知乎</title>
<style>.public-DraftEditor-content { min-height: 8em; white-space: pre-wrap; border: 1px solid #ddd; }</style></head>
<body><header><button type="button" class="Button PublishPanel-triggerButton">发布</button></header>
<div class="PublishPanel-wrapper" hidden><div>添加话题</div><label><input type="checkbox"> 投稿至专栏</label>
<button type="button" class="Button PublishPanel-cancel">取消</button>
<button type="button" class="Button Button--primary PublishPanel-button">发布</button></div>
<main><textarea class="Input" rows="1" placeholder="请输入标题（最多 100 个字）"></textarea>
<div class="DraftEditor-root"><div class="public-DraftEditor-content" contenteditable="true" role="textbox"></div></div>
<div class="Notification" role="alert" hidden></div></main>
<script id="cfg" type="application/json">__CONFIG__</script>
<script>
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("cfg").textContent);
  const $ = (css) => document.querySelector(css);
  const title = $("textarea"), editor = $(".public-DraftEditor-content"), panel = $(".PublishPanel-wrapper");
  const confirmButton = $(".PublishPanel-button"), note = $(".Notification");
  let titleValue = "";
  let blocks = [""];  // the editor state: one string per paragraph; the DOM only renders it
  window.__draftText = () => blocks.join("\\n");
  title.addEventListener("input", () => { titleValue = title.value; });

  function render() {
    editor.replaceChildren(...blocks.map((text) => {
      const block = document.createElement("div"), leaf = document.createElement("span");
      block.className = "public-DraftStyleDefault-block";
      leaf.dataset.text = "true";
      if (text) leaf.textContent = text; else leaf.appendChild(document.createElement("br"));
      block.appendChild(leaf);
      return block;
    }));
  }
  editor.addEventListener("beforeinput", (event) => {
    event.preventDefault();
    const last = blocks.length - 1;
    if (event.inputType === "insertText" && event.data) blocks[last] += event.data;
    else if (event.inputType === "insertParagraph") blocks.push("");
    else if (event.inputType === "deleteContentBackward" && blocks[last]) blocks[last] = blocks[last].slice(0, -1);
    render();
  });
  editor.addEventListener("paste", (event) => {
    event.preventDefault();  // like Draft.js: insert the clipboard into the state, HTML when there is some
    const markup = event.clipboardData.getData("text/html");
    let lines = event.clipboardData.getData("text/plain").replace(/\\r\\n?/g, "\\n").split("\\n");
    if (markup) {
      const paragraphs = new DOMParser().parseFromString(markup, "text/html").body.querySelectorAll("p");
      if (paragraphs.length) lines = Array.from(paragraphs, (p) => p.textContent);
    }
    blocks[blocks.length - 1] += lines[0];
    blocks.push(...lines.slice(1));
    render();
  });
  const say = (message) => { note.textContent = message; note.hidden = false; };
  const xsrf = () => (document.cookie.match(/(?:^|; )_xsrf=([^;]*)/) || ["", ""])[1];
  const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  $(".PublishPanel-triggerButton").addEventListener("click", () => { panel.hidden = false; });
  $(".PublishPanel-cancel").addEventListener("click", () => { panel.hidden = true; });
  confirmButton.addEventListener("click", async () => {
    if (!titleValue.trim() || !blocks.join("").trim()) return say("请输入标题和正文");
    confirmButton.disabled = true;
    const content = blocks.map((b) => "<p>" + esc(b) + "</p>").join("");
    let text = "";
    try {
      const r = await fetch(cfg.api + "/api/v4/content/publish", {method: "POST", credentials: "include",
        headers: {"content-type": "application/json", "x-xsrftoken": xsrf()},
        body: JSON.stringify({action: "article", data: {title: titleValue, content}})});
      text = await r.text();
    } catch (e) { confirmButton.disabled = false; return say("网络异常，请稍后重试"); }
    window.__lastPublish = text;  // the raw answer (a real Zhihu page keeps no such thing)
    let answer = {};
    try { answer = JSON.parse(text); } catch (e) { /* not JSON: a generic failure below */ }
    const error = answer.error || {}, code = answer.code ?? error.code;
    if (code === 0) {
      const result = JSON.parse(answer.data.result);  // ids are strings: exact
      location.href = result.publish ? "/p/" + result.publish.id : "/p/" + result.draft.id + "/edit";
    } else if (code === 40352) location.href = "/account/unhuman?type=unhuman&need_login=false";
    else if (code === 40353) location.href = "/signin?next=" + encodeURIComponent(location.href);
    else { confirmButton.disabled = false; say(answer.message || error.message || "发布失败"); }
  });
  render();
})();
</script></body></html>"""


@dataclass
class Article:
    id: str  # a string everywhere, as the module must keep it
    title: str
    text: str  # paragraphs joined by "\n", exactly as the editor held them
    published: bool = True


class ZhihuReplicaState:
    """The replica's articles, its one member and its knobs; shared by its servers and the tests."""

    def __init__(self, url_token: str = "zed-writer", name: str = "Zed 测试") -> None:
        self.url_token, self.name = url_token, name
        self.api_url = ""  # where the editor page sends API calls ("" = its own origin)
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """No articles, every knob off."""
        with self.lock:
            self.articles: list[Article] = []
            self.api_origins: list[str] = []  # Origin headers of credentialed API calls (CORS was exercised)
            self.next_id = FIRST_ID
            self.renewals = 0  # session cookies renewed by editor page loads
            for knob in KNOBS:
                setattr(self, knob, False)

    def add(self, title: str, text: str, published: bool = True) -> Article:
        """Store an article (the publish API, or a test setting up the member's list)."""
        with self.lock:
            article = Article(str(self.next_id), title, text, published)
            self.next_id += 2
            self.articles.append(article)
            return article

    def published(self) -> list[Article]:
        """Published articles, oldest first."""
        with self.lock:
            return [a for a in self.articles if a.published]

    def take(self, knob: str) -> bool:
        """Read a one-shot knob (``*_next``) and switch it off."""
        with self.lock:
            value = bool(getattr(self, knob))
            setattr(self, knob, False)
            return value


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n"))


def _error(status: int, code: int, message: str) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message}}), status


def create_zhihu_replica(state: ZhihuReplicaState) -> Flask:
    """The Flask app: editor, article pages, the API calls the module and the editor make, sign-in pages."""
    app = Flask(__name__)

    def logged_in() -> bool:
        return bool(request.cookies.get("z_c0")) and not state.logged_out

    @app.after_request
    def cors(response: Response) -> Response:
        # like www.zhihu.com for zhuanlan.zhihu.com: credentialed CORS for the site's own origins only
        origin = request.headers.get("Origin", "")
        if re.fullmatch(r"http://(127\.0\.0\.1|localhost):\d+", origin):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Access-Control-Allow-Headers"] = "content-type, x-xsrftoken"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST"
            response.headers["Vary"] = "Origin"
        return response

    @app.get("/write")
    def write() -> Any:
        if not logged_in():
            return redirect("/signin?next=" + quote(request.url, safe=""))
        if state.flagged:
            return redirect("/account/unhuman?type=unhuman&message=" + quote("系统监测到您的网络环境存在异常风险"))
        config = json.dumps({"api": state.api_url}).replace("<", "\\u003c")
        page = Response(EDITOR_PAGE.replace("__CONFIG__", config), mimetype="text/html")
        # the site renews a session cookie as it is used: the server must save the new value
        state.renewals += 1
        page.set_cookie("z_r0", f"renewed-{state.renewals}", path="/", samesite="Lax")
        return page

    @app.get("/p/<int:article_id>")
    def article_page(article_id: int) -> Any:
        found = next((a for a in state.published() if a.id == str(article_id)), None)
        if found is None:
            return PLAIN_PAGE.replace("__TEXT__", "404 你似乎来到了没有知识存在的荒原"), 404
        page = ARTICLE_PAGE.replace("__TITLE__", html.escape(found.title))
        return page.replace("__BODY__", _paragraphs(found.text))

    @app.get("/p/<int:article_id>/edit")
    def draft_page(article_id: int) -> Any:
        if not any(a.id == str(article_id) for a in state.articles):
            return PLAIN_PAGE.replace("__TEXT__", "404"), 404
        return PLAIN_PAGE.replace("__TEXT__", "草稿已保存")  # an editor again: no h1.Post-Title

    @app.get("/signin")
    def signin() -> str:
        return PLAIN_PAGE.replace("__TEXT__", "登录知乎，发现更大的世界")

    @app.get("/account/unhuman")
    def unhuman() -> str:
        return PLAIN_PAGE.replace("__TEXT__", "系统监测到您的网络环境存在异常风险，请输入验证码")

    @app.get("/api/v4/me")
    def me() -> Any:
        state.api_origins.append(request.headers.get("Origin", ""))
        if not logged_in():
            return _error(401, 40353, "请登录后再操作")
        return jsonify({"id": "f1e2d3", "url_token": state.url_token, "name": state.name, "type": "people"})

    @app.get("/api/v4/members/<token>/articles")
    def member_articles(token: str) -> Any:
        if state.list_broken:
            return "<html><body>500 Internal Server Error</body></html>", 500
        if token != state.url_token:
            return _error(404, 4041, "用户不存在")
        limit = min(int(request.args.get("limit", 20)), 20)
        offset = int(request.args.get("offset", 0))
        newest_first = state.published()[::-1]
        data = []
        for a in newest_first[offset : offset + limit]:
            item = {"id": a.id, "type": "article", "title": a.title, "url": f"https://api.zhihu.com/articles/{a.id}"}
            item["excerpt"] = a.text.replace("\n", " ")[:60] + ("…" if len(a.text) > 60 else "")
            if not state.excerpt_only:
                item["content"] = _paragraphs(a.text)
            data.append(item)
        is_end = offset + limit >= len(newest_first)
        return jsonify({"data": data, "paging": {"is_end": is_end, "totals": len(newest_first)}})

    @app.post("/api/v4/content/publish")
    def publish() -> Any:
        state.api_origins.append(request.headers.get("Origin", ""))
        if not logged_in():
            return _error(401, 40353, "请登录后再操作")
        if not request.cookies.get("_xsrf") or request.headers.get("x-xsrftoken") != request.cookies.get("_xsrf"):
            return _error(403, 10003, "请求参数异常，请升级客户端后重试")
        if state.take("risk_next"):
            return _error(403, 40352, "系统监测到您的网络环境存在异常风险")
        data = (request.get_json(silent=True) or {}).get("data") or {}
        title = str(data.get("title") or "")
        paragraphs = re.findall(r"<p>(.*?)</p>", str(data.get("content") or ""), flags=re.S)
        text = "\n".join(html.unescape(p) for p in paragraphs)
        if not title.strip() or not text.strip():
            return jsonify({"code": 40001, "message": "标题和正文不能为空", "data": None})
        if len(title) > 100:
            return jsonify({"code": 40002, "message": "标题最多 100 个字", "data": None})
        if state.take("reject_next"):
            return jsonify({"code": 40017, "message": "内容含有违反社区规范的信息，请修改后重新发布", "data": None})
        draft = state.draft_only
        article = state.add(title, text, published=not draft)
        result = {"draft": {"id": article.id}} if draft else {"publish": {"id": article.id}}
        return jsonify({"code": 0, "message": "success", "data": {"result": json.dumps(result)}})

    return app


class ReplicaServer:
    """The replica app served by waitress on 127.0.0.1 in a thread (``port=0``: a free one)."""

    def __init__(self, app: Flask, port: int = 0) -> None:
        self.server = waitress.create_server(app, host="127.0.0.1", port=port, threads=4)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, name="zhihu-replica", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        stop_http(self.server, self.thread)
