"""Word lists and the shared jieba tagger for term extraction."""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

import jieba


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


EN_STOP = _words(
    """
    a about above after again against all also although always among an and any are around as at be because
    been before being below between both but by can cannot could did do does doing done down during each
    either even every few for from further had has have having he her here hers him his how however if in into
    is it its itself just least less like made make makes many may might more most much must near neither no
    nor not now of off often on once one only onto or other others our out over own per perhaps rather same
    several shall she should since so some such than that the their them then there these they this those
    though through thus to together too toward towards under until up upon us use used uses using very via was
    we were what when where whether which while who whom whose why will with within without would yet you your
    called known include includes including become becomes became across along another based first second
    third given therefore usually whereas still sometimes important chapter unit section lesson page figure
    fig table example examples give gives help helps allow allows produce produces contain contains provide
    provides need needs start starts lets let read build store enter leave return break reach passes looks
    looking different quickly common large small high long good great certain various able new old simple
    single same previous following next last early late recent modern total likely open free clear easy hard
    strong weak fast slow short wide deep low little best better typical normal usual final specific
    particular quick later earlier show shows take takes get gets come comes find finds turn turns move moves
    remain remains seem seems mean means put puts consist consists say says think thinks see sees want wants
    try tries know knows work works i.e e.g etc vs also just really quite rather way ways thing things case
    cases lot lots kind kinds sort whole entire full right left wrong true false real actual possible
    available necessary basic main major minor general special similar identical apply applies applied called
    call calls defined define defines n d h x y z k
    """
)
EN_GENERIC = _words(
    """
    problem problems reason result results number numbers part parts fact facts form forms type types time
    times term terms point points order idea ideas value values step steps approach method methods question
    questions answer answers world context choice choices sense level levels set sets course courses book
    books chapter section sections end ends side sides amount amounts degree area areas aspect aspects feature
    features issue issues task tasks thing matter detail details instance instances one ones input inputs
    output outputs way argument arguments element elements operation operations version versions variety
    something anything
    """
)
ZH_STOP = _words(
    """
    的 了 是 在 和 与 及 等 也 都 而 但 或 被 把 对 从 向 以 为 于 其 之 这 那 这些
    那些 一个 一种 一些 我们 他们 它们 可以 通过 进行 使用 由于 因此 所以 因为 如果 就是
    还是 并且 以及 其中 主要 重要 不同 不仅 而且 已经 成为 具有 没有 可能 能够 需要 之间
    之后 以后 以前 同时 其他 各种 这样 那样 什么 如何 为了 对于 关于 例如 比如 包括 开始
    出现 形成 认为 称为 作为 方面 时候 之一 非常 更加 逐渐 进一步 一定 当时 所有 许多 很多
    每个 这种 那种 它 他 她 并不 不是 也是 就会 就能 中 上 下 里 前 后 时 个 该 此 每
    各 某 任何 如 即 则 又 再 还 将 会 能 要 应 得 着 过 地 就 都 很 更 最 并 让 使
    给 用 来 去 到 说 看 做 有 没 不 无 非 好 多 少 大 小 高 低 新
    """
)
# Naming verbs end a term (能力叫做泛化 is 泛化); 过 starts one (过拟合).
ZH_STOP = (ZH_STOP | {"叫做", "叫作", "称作", "被称为", "定义为", "也称", "又称", "简称"}) - {"过"}
ZH_GENERIC = _words(
    """
    原因 均值 问题 方法 方式 情况 结果 例子 部分 东西 时候 过程 作用 影响 关系 类型 能力
    工作 世界 事情 程度 方面 时间 地方 问题 目的 意义 条件 特点 内容 形式 水平 范围 数量
    办法 原理 基础 领域 因素 对象 人们 大多数 本书 章节 模型 函数 数据 输入 输出 参数 网络
    计算 信息 变量 元素 特征 样本 例如 架构 表示 操作 单元 层 图像 任务 代码
    """
)
# Words after which a phrase is a verb and its object, not a term: "使用隐藏层", "计算输出".
ZH_VERB_START = _words(
    """
    使用 加入 计算 通过 实现 进行 表示 得到 产生 添加 构建 设计 描述 定义 介绍 讨论 考虑
    学习 训练 预测 处理 解决 需要 包含 增加 减少 建立 利用 应用 采用 引入 提供 获得 输出
    输入 保留 丢弃 绘制 压缩 转换 映射 堆叠 合并 跟踪 更新 捕捉 逼近 表达 估计 评估 选择
    控制 避免 导致 发现 证明 执行 合适 简单 复杂 一般 基本 常见 常用 相同 类似 更 最 很 较
    """
)
# Single characters that end a term: 学习率, 训练集, 隐藏层, 感知机, 分类器.
ZH_NOUN_SUFFIX = _words(
    """
    率 集 层 器 机 值 量 元 法 性 度 数 型 化 项 点 图 表 树 核 网 码 库 栈 域 阶
    元 子 组 函 群 链 式 论 律
    """
)
# Verb-tagged prefixes that start terms: 超参数, 多层感知机, 全连接层.
ZH_PREFIX = _words(
    """
    超 多 单 双 全 非 反 逆 正 负 总 半 自 子 次 主 副 过 欠 隐藏 激活 修正 池化 卷积 循环
    泛化 嵌入
    """
)
ZH_BREAK_FLAGS = frozenset(
    {"r", "p", "c", "u", "uj", "ul", "uz", "ud", "ug", "uv", "d", "f", "y", "e", "o", "x", "w", "t", "z", "zg"}
    | {"q", "mq", "ad", "ag", "dg", "rr", "rz", "tg", "k", "h"}
)

_lock = threading.Lock()
_ready = False


def init_jieba() -> None:
    """Load jieba's dictionary and POS tables once, thread-safely (about half a second)."""
    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                from jieba import posseg  # noqa: F401 - importing builds the shared POS tokenizer

                _ready = True


@lru_cache(maxsize=4096)
def _zh_words(run: str) -> tuple[tuple[str, str], ...]:
    init_jieba()
    from jieba import posseg

    return tuple((p.word, p.flag) for p in posseg.cut(run) if p.word.strip())


def zh_words(text: str) -> list[tuple[str, str]]:
    """(word, jieba flag) pairs of a Chinese text, tagged in context by jieba.posseg."""
    return list(_zh_words(text))


def singular(word: str) -> str:
    """A crude English singular: "layers" -> "layer", "bodies" -> "body"; "analysis" stays."""
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith(("ss", "is", "us", "ics")) else word


def warm_up() -> None:
    """Load jieba and wordfreq's tables before the first exam needs them (a few seconds)."""
    from wordfreq import zipf_frequency

    init_jieba()
    zh_words("考试学习课程内容")
    zipf_frequency("考试", "zh")
    zipf_frequency("exam", "en")
