// The demo editor. Like a real platform's rich-text editor, it keeps its own model of the body
// and updates it ONLY from input events (typing, deleting, line breaks, paste). A script that
// writes innerHTML/textContent directly changes what is shown but not what is published: the
// server then answers 400 "The article body is empty." This is what publishers must cope with.
(function () {
  "use strict";

  const title = document.getElementById("title");
  const body = document.getElementById("body");
  const publish = document.getElementById("publish");
  const confirmBox = document.getElementById("confirm");
  const confirmPublish = document.getElementById("confirm-publish");
  const cancelPublish = document.getElementById("cancel-publish");
  const form = document.getElementById("publish-form");

  const BLOCKS = new Set(["DIV", "P", "LI", "UL", "OL", "PRE", "BLOCKQUOTE", "H1", "H2", "H3", "H4", "H5", "H6"]);

  function isBlock(node) {
    return node.nodeType === Node.ELEMENT_NODE && BLOCKS.has(node.tagName);
  }

  // A <br> with nothing after it in its block only holds an (empty) line open: it adds no newline.
  function isTrailing(start) {
    for (let node = start; node !== body && !isBlock(node); node = node.parentNode) {
      for (let next = node.nextSibling; next; next = next.nextSibling) {
        if (next.nodeType === Node.ELEMENT_NODE || (next.nodeType === Node.TEXT_NODE && next.data)) {
          return false;
        }
      }
    }
    return true;
  }

  // The body as plain text, one "\n" per line break the user typed. body.innerText is not used:
  // Chrome turns each empty line (<div><br></div>) into two newlines there.
  function bodyText() {
    let out = "";
    let started = false; // a line exists (possibly empty)
    let pending = false; // a block boundary was passed: the next content starts a new line
    function flush() {
      if (pending) {
        out += "\n";
        pending = false;
      }
    }
    function walk(parent) {
      for (let node = parent.firstChild; node; node = node.nextSibling) {
        if (node.nodeType === Node.TEXT_NODE) {
          if (node.data) {
            flush();
            // same for a final "\n" (Shift+Enter under pre-wrap): the line after it is a placeholder
            const last = node.data.endsWith("\n") && isTrailing(node);
            out += last ? node.data.slice(0, -1) : node.data;
            started = true;
          }
        } else if (node.nodeType === Node.ELEMENT_NODE && node.tagName === "BR") {
          flush();
          if (!isTrailing(node)) {
            out += "\n";
          }
          started = true;
        } else if (node.nodeType === Node.ELEMENT_NODE) {
          const block = isBlock(node);
          pending = pending || (block && started);
          walk(node);
          pending = pending || (block && started);
        }
      }
    }
    walk(body);
    return out;
  }

  // The body text as of the last input event: the only thing that is ever submitted.
  let model = "";

  body.addEventListener("input", function () {
    model = bodyText();
  });

  // Put the caret at the end of the body unless it is already inside it.
  function caretInBody() {
    const sel = window.getSelection();
    if (sel.rangeCount && body.contains(sel.getRangeAt(0).commonAncestorContainer)) {
      return;
    }
    body.focus();
    const range = document.createRange();
    range.selectNodeContents(body);
    range.collapse(false);
    sel.removeAllRanges();
    sel.addRange(range);
  }

  // Paste as plain text only; insertText fires the input event that updates the model.
  body.addEventListener("paste", function (event) {
    event.preventDefault();
    const text = event.clipboardData ? event.clipboardData.getData("text/plain") : "";
    if (!text) {
      return;
    }
    caretInBody();
    document.execCommand("insertText", false, text);
  });

  function showError(message) {
    let error = document.getElementById("error");
    if (!error) {
      error = document.createElement("p");
      error.id = "error";
      error.className = "error";
      error.setAttribute("role", "alert");
      document.getElementById("editor").before(error);
    }
    error.textContent = message;
  }

  function clearError() {
    const error = document.getElementById("error");
    if (error) {
      error.remove();
    }
  }

  // Validation looks at what the user sees; submission sends the model (see the top comment).
  publish.addEventListener("click", function () {
    if (!title.value.trim()) {
      showError("Please enter a title.");
      confirmBox.hidden = true;
      return;
    }
    if (!body.innerText.trim()) {
      showError("Please write the article body.");
      confirmBox.hidden = true;
      return;
    }
    clearError();
    confirmBox.hidden = false;
    confirmPublish.focus();
  });

  cancelPublish.addEventListener("click", function () {
    confirmBox.hidden = true;
  });

  // A real form POST, so the browser follows the server's redirect to the article.
  confirmPublish.addEventListener("click", function () {
    confirmPublish.disabled = true;  // one click, one article
    publish.disabled = true;
    document.getElementById("publish-title").value = title.value;
    document.getElementById("publish-content").value = model;
    form.submit();
  });
})();
