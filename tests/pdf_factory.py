"""Real PDFs made with reportlab for the exam tests: English, Chinese, mixed and broken files."""

from __future__ import annotations

import io
import random
import uuid
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

ZH_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(ZH_FONT))

EN_SENTENCES = [
    "Photosynthesis converts light energy into chemical energy that is stored in glucose molecules.",
    "Chlorophyll absorbs mostly red and blue light and reflects green light, giving leaves their colour.",
    "The mitochondria release energy from glucose during cellular respiration and store it as ATP.",
    "Every living organism is made of cells, and the cell is the basic unit of structure and function.",
    "The nucleus contains the genetic material of the cell and controls which proteins are produced.",
    "Ribosomes read messenger RNA and join amino acids together to build new protein chains.",
    "Enzymes are proteins that speed up chemical reactions without being used up in the process.",
    "The cell membrane is a thin lipid bilayer that controls which substances enter and leave the cell.",
    "Osmosis is the movement of water across a membrane from a dilute solution to a concentrated one.",
    "During mitosis a single cell divides to produce two genetically identical daughter cells.",
    "Meiosis produces gametes with half the usual number of chromosomes, which allows sexual reproduction.",
    "Natural selection favours individuals whose inherited traits help them survive and reproduce.",
    "Over many generations, evolution can change the appearance and behaviour of an entire population.",
    "A food chain shows how energy passes from producers to herbivores and then to carnivores.",
    "Decomposers such as fungi and bacteria break down dead material and return nutrients to the soil.",
    "The circulatory system carries oxygen, nutrients and hormones to every tissue of the body.",
    "Red blood cells contain haemoglobin, a protein that binds oxygen in the lungs and releases it later.",
    "Antibodies are produced by white blood cells and recognise specific antigens on invading pathogens.",
    "Vaccination trains the immune system to respond quickly when it meets a real infection later.",
    "Insulin is a hormone released by the pancreas that lowers the concentration of glucose in the blood.",
    "A computer network connects devices so that they can exchange data and share resources.",
    "The Internet Protocol gives every host an address and routes packets between different networks.",
    "The Transmission Control Protocol provides reliable, ordered delivery by numbering each segment.",
    "When a segment is lost, the sender retransmits it after a timeout or after duplicate acknowledgements.",
    "A router forwards packets between networks by looking up the destination address in its routing table.",
    "A switch learns the hardware addresses of attached devices and forwards frames only to the right port.",
    "The Domain Name System translates readable names such as example.org into numeric addresses.",
    "Bandwidth describes how much data a link can carry per second, while latency measures the delay.",
    "Congestion control slows a sender down when routers along the path start to drop packets.",
    "A firewall filters incoming and outgoing traffic according to rules defined by the administrator.",
    "Encryption protects data in transit, so an eavesdropper who captures the packets cannot read them.",
    "The Transport Layer Security handshake lets a browser verify the certificate of a web server.",
    "Wireless networks use radio waves, and their signal strength falls quickly with distance and walls.",
    "Ethernet remains the most common technology for wired local networks in offices and homes.",
    "The layered model separates concerns, so an application does not need to know how bits are transmitted.",
    "A packet carries a header with addressing information and a payload with the actual user data.",
    "Network address translation lets many private devices share a single public address on the Internet.",
    "The Dynamic Host Configuration Protocol assigns addresses automatically when a laptop joins a network.",
    "Fibre optic cables carry light pulses and can transmit data over long distances with very little loss.",
    "Redundant links and routing protocols keep a network working when a single cable or device fails.",
]

ZH_SENTENCES = [
    "秦始皇在公元前二二一年统一六国，建立了中国历史上第一个中央集权的封建王朝。",
    "秦朝推行书同文、车同轨，并统一了度量衡和货币，促进了各地经济文化的交流。",
    "汉武帝采纳董仲舒的建议，罢黜百家、独尊儒术，使儒家思想成为封建社会的正统思想。",
    "张骞出使西域，开辟了连接中原与中亚的丝绸之路，促进了东西方的贸易往来。",
    "东汉时期蔡伦改进了造纸术，使纸张成为书写和传播知识的主要材料。",
    "隋朝开凿的大运河连接了海河、黄河、淮河、长江和钱塘江五大水系。",
    "隋唐时期创立并完善的科举制度，使普通读书人可以通过考试进入官僚体系。",
    "唐太宗重用贤才、虚心纳谏，他统治的时期被后人称为贞观之治。",
    "唐朝的长安城规模宏大，来自各国的使节、商人和留学生在这里交流往来。",
    "北宋时期毕昇发明了活字印刷术，大大提高了书籍印刷的效率。",
    "宋代海外贸易十分繁荣，泉州和广州是当时重要的对外贸易港口。",
    "元朝实行行省制度，加强了中央对地方的管理，对后世的行政区划影响深远。",
    "明朝永乐年间郑和率领船队七次下西洋，最远到达了非洲东海岸。",
    "明朝为了防御北方游牧民族，大规模修筑长城，形成了今天所见的主要城墙。",
    "清朝康熙皇帝平定三藩、收复台湾，巩固了多民族国家的统一。",
    "鸦片战争以后，中国逐渐沦为半殖民地半封建社会，民族危机日益加深。",
    "洋务运动以自强和求富为口号，创办了一批近代军事工业和民用企业。",
    "辛亥革命推翻了清王朝的统治，结束了延续两千多年的君主专制制度。",
    "火药、指南针、造纸术和印刷术被称为中国古代的四大发明，对世界文明产生了深远影响。",
    "丝绸之路不仅是商品贸易的通道，也是佛教、艺术和科学技术传播的重要路线。",
    "计算机网络是把分布在不同地点的计算机通过通信线路连接起来，实现资源共享的系统。",
    "网络协议规定了通信双方交换数据的格式、顺序以及出错时的处理方法。",
    "开放系统互连参考模型把网络通信划分为七个层次，每一层只为上一层提供服务。",
    "传输控制协议在发送数据之前要通过三次握手建立连接，以保证传输的可靠性。",
    "用户数据报协议不建立连接，开销较小，常用于视频直播和在线游戏等实时应用。",
    "路由器根据路由表为数据分组选择最佳路径，把分组从一个网络转发到另一个网络。",
    "交换机工作在数据链路层，它根据帧中的物理地址把数据转发到对应的端口。",
    "域名系统负责把便于记忆的域名解析为计算机能够识别的地址。",
    "动态主机配置协议可以自动为接入网络的主机分配地址、子网掩码和默认网关。",
    "防火墙按照预先设定的安全策略过滤进出内部网络的数据，阻止未经授权的访问。",
    "对称加密算法使用同一个密钥进行加密和解密，运算速度快，但密钥分发比较困难。",
    "非对称加密使用公钥和私钥两个不同的密钥，常用于数字签名和密钥交换。",
    "带宽表示信道在单位时间内能够传输的最大数据量，通常用比特每秒来衡量。",
    "时延是数据从发送端到达接收端所需要的时间，包括传播时延和排队时延等。",
    "拥塞控制的目的是防止过多的数据注入网络，使路由器和链路不致过载。",
    "局域网覆盖的地理范围较小，通常位于一座建筑物或者一个校园之内。",
    "光纤利用光的全反射原理传输信号，具有带宽大、损耗低和抗干扰能力强的优点。",
    "无线局域网通过无线电波传输数据，用户可以在信号覆盖范围内自由移动。",
    "网络地址转换技术让内部网络中的多台主机共享一个公网地址访问互联网。",
    "超文本传输协议是万维网的基础，浏览器通过它向服务器请求网页和其他资源。",
]

EN_TOPICS = ["Cell Biology", "Human Physiology", "Computer Networks", "Network Security"]
ZH_TOPICS = ["中国古代史", "中国近代史", "计算机网络基础", "网络安全"]


def _page_sentences(pool: list[str], page: int, per_page: int = 14) -> list[list[str]]:
    """A rotating, shuffled slice of `pool` grouped into paragraphs, so pages differ."""
    picked = [pool[(page * per_page + i) % len(pool)] for i in range(per_page)]
    random.Random(page).shuffle(picked)
    return [picked[i : i + 4] for i in range(0, len(picked), 4)]


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    if font != ZH_FONT:
        return simpleSplit(text, font, size, width)
    lines, line = [], ""
    for ch in text:  # Chinese has no spaces to break at: wrap at any character
        if pdfmetrics.stringWidth(line + ch, font, size) > width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line else lines


def _write(path: Path | str, pages: list[tuple[str, list[tuple[str, str]]]]) -> Path:
    """Draw pages of (heading, [(font, paragraph)]) with a page number footer on each page."""
    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    for number, (heading, paragraphs) in enumerate(pages, start=1):
        c.setFont(ZH_FONT if any(ord(ch) > 0x2E80 for ch in heading) else "Helvetica-Bold", 15)
        c.drawString(60, height - 70, heading)
        y = height - 100
        for font, text in paragraphs:
            c.setFont(font, 11)
            for line in _wrap(text, font, 11, width - 120):
                c.drawString(60, y, line)
                y -= 15
            y -= 10
        c.setFont("Helvetica", 9)
        c.drawCentredString(width / 2, 30, str(number))
        c.showPage()
    c.save()
    return Path(path)


def english_course_pdf(path: Path | str, pages: int = 3) -> Path:
    """A course handout on biology and computer networks in English."""
    return _write(
        path,
        [
            (
                f"Chapter {p + 1}: {EN_TOPICS[p % 4]}",
                [("Helvetica", " ".join(g)) for g in _page_sentences(EN_SENTENCES, p)],
            )
            for p in range(pages)
        ],
    )


def chinese_course_pdf(path: Path | str, pages: int = 3) -> Path:
    """A course handout on Chinese history and computer networks in Chinese."""
    return _write(
        path,
        [
            (
                f"第{p + 1}章 {ZH_TOPICS[p % 4]}",
                [(ZH_FONT, "".join(g)) for g in _page_sentences(ZH_SENTENCES, p)],
            )
            for p in range(pages)
        ],
    )


def mixed_course_pdf(path: Path | str) -> Path:
    """A bilingual handout: English and Chinese paragraphs alternate on each page."""
    pages = []
    for p in range(2):
        en, zh = _page_sentences(EN_SENTENCES, p, 12), _page_sentences(ZH_SENTENCES, p, 12)
        paras = [
            item
            for pair in zip(en, zh, strict=True)
            for item in (("Helvetica", " ".join(pair[0])), (ZH_FONT, "".join(pair[1])))
        ]
        pages.append((f"Unit {p + 1} 第{p + 1}单元", paras))
    return _write(path, pages)


def long_course_pdf(path: Path | str, pages: int = 20) -> Path:
    """A long English handout; later pages repeat earlier material in a different order."""
    return english_course_pdf(path, pages)


def lines_pdf(path: Path | str, lines: list[str], font: str = "Helvetica") -> Path:
    """One page with exactly the given lines, for testing how line breaks are joined."""
    c = canvas.Canvas(str(path), pagesize=A4)
    y = A4[1] - 80
    for line in lines:
        c.setFont(ZH_FONT if any(ord(ch) > 0x2E80 for ch in line) else font, 12)
        c.drawString(60, y, line)
        y -= 16
    c.save()
    return Path(path)


def image_only_pdf(path: Path | str) -> Path:
    """A 'scanned' page: shapes and a raster image, but no text objects at all."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    img = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(img).rectangle((20, 20, 380, 180), outline="black", width=4)
    c = canvas.Canvas(str(path), pagesize=A4)
    c.rect(60, 500, 300, 200)
    c.circle(300, 300, 80, fill=1)
    c.drawImage(ImageReader(img), 60, 100, width=400, height=200)
    c.save()
    return Path(path)


def encrypted_pdf(path: Path | str, user_password: str = "secret") -> Path:
    """An English handout protected with a password (empty `user_password` still encrypts it)."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    enc = StandardEncryption(user_password, ownerPassword="owner-secret")
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=enc)
    c.setFont("Helvetica", 11)
    for i, sentence in enumerate(EN_SENTENCES[:10]):
        c.drawString(60, 780 - 18 * i, sentence[:90])
    c.save()
    return Path(path)


def truncated_pdf(path: Path | str) -> Path:
    """A valid English PDF cut in half, as after an interrupted upload."""
    path = Path(path)
    english_course_pdf(path, pages=2)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def large_pdf(path: Path | str, min_bytes: int) -> Path:
    """A valid English handout made larger than `min_bytes` by a photo of incompressible noise."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    side = int((min_bytes / 3) ** 0.5) + 16  # RGB noise does not compress: about 3 bytes a pixel
    noise = Image.frombytes("RGB", (side, side), random.Random(0).randbytes(side * side * 3))
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica", 11)
    for i, sentence in enumerate(EN_SENTENCES[:12]):
        c.drawString(60, 780 - 18 * i, sentence[:95])
    c.drawImage(ImageReader(noise), 60, 100, width=400, height=400)
    c.save()
    return Path(path)


def short_course_pdf(path: Path | str, sentences: int = 3) -> Path:
    """A one-page handout with only a few usable sentences (too little for a long exam)."""
    return lines_pdf(path, EN_SENTENCES[:sentences])


def sparse_course_pdf(path: Path | str, pages: int = 4) -> Path:
    """Too little text spread over more pages than the upload reads: only the job finds it too short."""
    return _write(path, [(f"Part {p + 1}", [("Helvetica", EN_SENTENCES[p])] if p < 3 else []) for p in range(pages)])


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body and its Content-Type, to upload these PDFs with the standard library."""
    boundary = f"examgen-{uuid.uuid4().hex}"
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for name, (filename, data) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'.encode())
        out.write(b"Content-Type: application/pdf\r\n\r\n" + data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def bomb_pdf(path: Path | str, pages: int = 400, stream_mb: int = 40) -> Path:
    """A decompression bomb: ``pages`` pages sharing one content stream of ``stream_mb`` MB of text
    operators that deflates to a few tens of KB; reading every page's text takes pypdf minutes."""
    import zlib

    chunk = b"BT /F1 12 Tf 72 700 Td (Photosynthesis converts light energy) Tj ET\n"
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(chunk * 16384) for _ in range(stream_mb * 1024 * 1024 // (len(chunk) * 16384)))
    body += compressor.flush()
    first_page = 5
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count %d /Kids [%s] >>"
        % (pages, b" ".join(b"%d 0 R" % (first_page + i) for i in range(pages))),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
    ]
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
        b" /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    )
    objects += [page] * pages
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % off for off in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    Path(path).write_bytes(out.getvalue())
    return Path(path)


EN_HANDOUT = [
    (
        "Learning from Data",
        [
            "Machine learning builds programs that improve with experience instead of following fixed rules. "
            "The examples a model learns from are called the training set, and each example carries a label. "
            "A separate validation set shows how well the model works on examples it has not seen. "
            "Problems appear when the training set is small or when its labels are noisy.",
            "The loss function measures how far the predictions of a model are from the labels. "
            "Gradient descent lowers the loss function by moving the parameters against the gradient. "
            "The size of each step is called the learning rate, and it is chosen before training starts. "
            "A value that is set before training rather than learned is known as a hyperparameter.",
        ],
    ),
    (
        "Generalization",
        [
            "A model that fits the training set well but fails on new examples suffers from overfitting. "
            "The ability of a model to perform well on unseen examples is called generalization. "
            "Weight decay adds a penalty on large parameters to the loss function and often improves generalization. "
            "Early stopping ends gradient descent when the error on the validation set starts to grow.",
            "Every hyperparameter, including the learning rate, is usually tuned on the validation set. "
            "A learning rate that is too large makes gradient descent diverge instead of converge. "
            "A learning rate that is too small makes training slow and wastes computation. "
            "The validation set must never be used to compute the gradient of the loss function.",
        ],
    ),
]
EN_CODE = ["timer = Timer()", "for x, y in data_iter(batch_size):", "    self.loss(net(x), y).backward()"]
EN_EXERCISES = [
    "1. Design a loss function for ranking problems and explain your choice.",
    "2. Why does a large learning rate make gradient descent diverge?",
]
ZH_HANDOUT = [
    (
        "从数据中学习",
        [
            "机器学习研究如何让程序从经验中不断改进，而不是执行固定的规则。"
            "模型用来学习的样本称为训练集（training set），每个样本都带有一个标签。"
            "独立的验证集（validation set）用来检查模型在没有见过的样本上的表现。"
            "训练集太小或者标签有噪声时，模型往往学不好。",
            "损失函数（loss function）衡量模型的预测与标签之间的差距。"
            "梯度下降沿着梯度的反方向移动参数，从而降低损失函数的值。"
            "每一步移动的大小叫做学习率（learning rate），它在训练开始之前就要选定。"
            "在训练之前设定而不是通过学习得到的值称为超参数（hyperparameter）。",
        ],
    ),
    (
        "泛化",
        [
            "模型在训练集上表现很好而在新样本上表现很差的现象称为过拟合（overfitting）。"
            "模型在没有见过的样本上表现良好的能力叫做泛化（generalization）。"
            "权重衰减在损失函数中加入对大参数的惩罚，通常能够改善泛化。"
            "验证集上的误差开始上升时，提前停止会结束梯度下降。",
            "学习率等超参数通常在验证集上进行调整，而不是在训练集上调整。"
            "学习率太大会使梯度下降发散而不是收敛，学习率太小则会让训练变得很慢。"
            "机器学习中的训练集和验证集必须分开，验证集不能用于计算损失函数的梯度。"
            "损失函数的均值通常作为训练过程中的目标。",
        ],
    ),
]
ZH_EXERCISES = ["1. 为排序问题设计一个损失函数，并说明原因。", "2. 为什么学习率太大会使梯度下降发散？"]


def handout_pdf(path: Path | str, lang: str = "en") -> Path:
    """A two-page handout laid out like a printed chapter: running header, headings, prose, a code block,
    a figure caption, page numbers and a closing exercise section."""
    zh = lang == "zh"
    body, heading = (ZH_FONT, ZH_FONT) if zh else ("Helvetica", "Helvetica-Bold")
    sections = ZH_HANDOUT if zh else EN_HANDOUT
    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    for number, (title, paragraphs) in enumerate(sections, start=1):
        c.setFont(body, 9)
        c.drawString(60, height - 40, "课程讲义 · 机器学习导论" if zh else "Course handout · Machine learning")
        c.setFont(heading, 16)
        c.drawString(60, height - 80, title)
        y = height - 110
        for i, text in enumerate(paragraphs):
            c.setFont(body, 11)
            for line in _wrap(text, body, 11, width - 120):
                c.drawString(60, y, line)
                y -= 16
            y -= 14
            if i == 0 and number == 1:
                c.setFont("Courier", 9)
                for code in EN_CODE:
                    c.drawString(66, y, code)
                    y -= 12
                y -= 14
                c.setFont(body, 9.5)
                caption = "图1.1 训练集上的损失函数曲线" if zh else "Fig. 1.1 The loss function on the training set."
                c.drawCentredString(width / 2, y, caption)
                y -= 26
        if number == len(sections):
            c.setFont(heading, 16)
            c.drawString(60, y - 10, "练习" if zh else "Exercises")
            y -= 40
            c.setFont(body, 11)
            for item in ZH_EXERCISES if zh else EN_EXERCISES:
                c.drawString(72, y, item)
                y -= 16
        c.setFont("Helvetica", 9)
        c.drawCentredString(width / 2, 30, str(number))
        c.showPage()
    c.save()
    return Path(path)
