"""The words that opt a family out, back in, or ask for help, in every language we text in.

Data only; `outreach_bot.messaging.keywords` reads a text with them. Write every entry in lower
case without punctuation: entries and texts are normalized the same way before they are compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Keyword = Literal["stop", "start", "help"]


@dataclass(frozen=True)
class KeywordSet:
    """Whole-message phrases that mean one keyword in one language."""

    language: str
    keyword: Keyword
    phrases: tuple[str, ...]
    # Accents are folded ("no más" == "no mas") unless that would make a phrase collide with
    # ordinary words: in Vietnamese "dung" without marks can mean "correct" or "use".
    fold_accents: bool = True
    # False: the phrases count only for a family whose language is `language` (see vi below).
    everyone: bool = True


@dataclass(frozen=True)
class SentenceWords:
    """The words of one language's opt-out sentences ("please stop sending me messages").

    A clause opts out when it is made only of these words (and polite words), with at least
    one `verbs` word (stop, don't, no more) and one `objects` word (texts, sending).
    """

    language: str
    verbs: tuple[str, ...]
    objects: tuple[str, ...]
    fillers: tuple[str, ...]
    fold_accents: bool = True


# A phrase here is matched against the whole message (once polite words around it are set
# aside), and every family's text is compared with every language's phrases: a family's
# language on file can be wrong, and a missed STOP is a text nobody may send. `flows check`
# fails on any choice keyword these phrases would claim, in any language.
KEYWORDS: tuple[KeywordSet, ...] = (
    # English: carriers' standard words (CTIA), then the ways people say it in their own words.
    KeywordSet("en", "stop", (
        "stop", "stopall", "stop all", "unsubscribe", "cancel", "end", "quit", "revoke",
        "optout", "opt out", "unsubscribe me", "remove me", "leave me alone",
        "take me off this list",
    )),
    KeywordSet("en", "start", ("start", "unstop", "subscribe", "resubscribe")),
    KeywordSet("en", "help", ("help", "info")),
    KeywordSet("es", "stop", (
        "alto", "parar", "pare", "para", "basta", "cancelar", "detener", "baja",
        "no mas mensajes", "no mas textos", "no mas", "ya no", "darme de baja",
    )),
    KeywordSet("es", "start", ("comenzar", "iniciar", "empezar", "reanudar", "alta")),
    KeywordSet("es", "help", ("ayuda", "informacion")),
    KeywordSet("pt", "stop", (
        "parar", "pare", "parem", "cancelar", "sair", "chega", "nao quero mais", "descadastrar",
    )),
    KeywordSet("pt", "start", ("comecar", "iniciar", "voltar", "reativar")),
    KeywordSet("pt", "help", ("ajuda",)),
    KeywordSet("fr", "stop", ("arret", "arreter", "desabonner", "annuler")),
    KeywordSet("fr", "start", ("commencer", "reprendre")),
    KeywordSet("fr", "help", ("aide",)),
    # Vietnamese keeps its marks: without them "dung" can mean "correct" or "use".
    KeywordSet("vi", "stop", (
        "dừng", "dừng lại", "ngừng", "ngưng", "hủy", "hủy đăng ký", "không nhận tin nữa",
    ), fold_accents=False),
    KeywordSet("vi", "start", ("bắt đầu", "đăng ký lại"), fold_accents=False),
    KeywordSet("vi", "help", ("giúp", "giúp đỡ", "trợ giúp"), fold_accents=False),
    # ...but many phones type Vietnamese without marks. For a Vietnamese family "dung" on its
    # own is far likelier "dừng" (stop) than "đúng" (right): no Vietnamese choice keyword folds
    # to these (`flows check` makes sure), so a "right" to a question is never read as STOP.
    KeywordSet("vi", "stop", (
        "dung", "dung lai", "ngung", "ngung lai", "huy", "huy dang ky",
    ), fold_accents=False, everyone=False),
    KeywordSet("vi", "start", ("bat dau", "dang ky lai"), fold_accents=False, everyone=False),
    KeywordSet("vi", "help", ("giup", "giup do", "tro giup"), fold_accents=False, everyone=False),
    # Chinese, in both scripts (zh-Hans and zh-Hant share these rows).
    KeywordSet("zh", "stop", (
        "停止", "退订", "退訂", "取消订阅", "取消訂閱", "取消", "退出", "别发了", "別發了",
    )),
    KeywordSet("zh", "start", ("开始", "開始", "订阅", "訂閱")),
    KeywordSet("zh", "help", ("帮助", "幫助", "求助")),
    KeywordSet("ar", "stop", ("توقف", "إيقاف", "ايقاف", "إلغاء", "الغاء", "توقفوا", "كفى")),
    KeywordSet("ar", "start", ("ابدأ", "ابدا", "بدء", "اشتراك")),
    KeywordSet("ar", "help", ("مساعدة", "مساعده")),
    KeywordSet("tl", "stop", ("tigil", "itigil", "hinto", "ihinto", "ayoko na", "tama na")),
    KeywordSet("tl", "start", ("simula", "simulan")),
    KeywordSet("tl", "help", ("tulong", "saklolo")),
    KeywordSet("ko", "stop", ("중지", "중단", "수신거부", "수신 거부", "그만")),
    KeywordSet("ko", "start", ("시작",)),
    KeywordSet("ko", "help", ("도움", "도움말")),
    KeywordSet("ru", "stop", ("стоп", "отписаться", "отписка", "хватит")),
    KeywordSet("ru", "start", ("старт", "подписаться")),
    KeywordSet("ru", "help", ("помощь",)),
    KeywordSet("uk", "stop", ("стоп", "відписатися", "припинити", "досить")),
    KeywordSet("uk", "start", ("старт", "почати")),
    KeywordSet("uk", "help", ("допомога",)),
    KeywordSet("fa", "stop", ("لغو", "توقف", "قطع")),
    KeywordSet("fa", "start", ("شروع",)),
    KeywordSet("fa", "help", ("راهنما", "کمک")),
    KeywordSet("ps", "stop", ("بند", "ودروئ", "ودرول")),
    KeywordSet("ps", "start", ("پیل",)),
    KeywordSet("ps", "help", ("مرسته",)),
    KeywordSet("pa", "stop", ("ਬੰਦ", "ਬੰਦ ਕਰੋ", "ਰੋਕੋ", "band", "band karo")),
    KeywordSet("pa", "start", ("ਸ਼ੁਰੂ", "shuru")),
    KeywordSet("pa", "help", ("ਮਦਦ", "madad")),
    # Not "rete": it is "stay", the word a family uses to ask for a place to stay.
    KeywordSet("ht", "stop", ("sispann", "kanpe", "mwen pa vle mesaj anko")),
    KeywordSet("ht", "start", ("komanse",)),
    KeywordSet("ht", "help", ("ed",)),
    KeywordSet("so", "stop", ("jooji", "joogso")),
    KeywordSet("so", "start", ("bilow",)),
    KeywordSet("so", "help", ("caawi", "caawimaad")),
    # Not "tsis xav tau" ("I don't want it"): it is the natural "no" to any offer.
    KeywordSet("hmn", "stop", ("nres", "tsum")),
    KeywordSet("hmn", "start", ("pib",)),
    KeywordSet("hmn", "help", ("pab", "pab kuv")),
)  # fmt: skip

# Words of courtesy around a keyword ("alto por favor", "stop po", "стоп пожалуйста"): set
# aside at either end of a message before it is compared with the phrases above. Pooled,
# since families mix them with English keywords ("STOP po").
POLITE: tuple[str, ...] = (
    "please", "pls", "plz", "thanks", "thank you", "thx", "now", "ok", "okay", "sorry", "hi",
    "por favor", "porfa", "porfavor", "gracias", "obrigado", "obrigada", "sil vous plait", "svp",
    "merci", "xin", "làm ơn", "vui lòng", "ạ", "cảm ơn", "lam on", "vui long", "cam on",
    "请", "請", "麻烦", "麻煩", "谢谢", "謝謝", "吧", "了", "啊", "من فضلك", "من فضلكم", "لو سمحت",
    "لو سمحتم", "رجاء", "شكرا", "po", "paki", "salamat", "na", "제발", "부탁합니다", "부탁해요",
    "감사합니다", "пожалуйста", "спасибо", "будь ласка", "дякую", "لطفا", "خواهشا", "ممنون",
    "مرسی", "مهرباني وکړئ", "مننه", "ਕਿਰਪਾ ਕਰਕੇ", "ਜੀ", "ji", "ਧੰਨਵਾਦ", "tanpri", "souple",
    "mesi", "fadlan", "mahadsanid", "thov", "ua tsaug", "os",
)  # fmt: skip

# Opt-out sentences: a stop verb and what is to stop, and nothing else but small words.
# "the bus stop is far" and "I can't stop worrying" hold words that are not here, so they
# are not opt-outs; "please stop sending me messages" is.
SENTENCES: tuple[SentenceWords, ...] = (
    SentenceWords(
        "en",
        verbs=("stop", "quit", "cease", "dont", "do not", "no more", "no longer", "never",
               "unsubscribe", "remove", "take", "end", "cancel", "opt out"),
        objects=("text", "texts", "texting", "txt", "txts", "message", "messages", "messaging",
                 "msg", "msgs", "sms", "send", "sending", "list", "number", "contact",
                 "contacting", "notifications", "alerts"),
        fillers=("me", "us", "i", "my", "our", "this", "these", "that", "the", "any", "anymore",
                 "more", "again", "from", "to", "of", "your", "you", "all", "off", "ever",
                 "want", "need", "guys", "here", "any more"),
    ),
    SentenceWords(
        "es",
        verbs=("no", "dejen de", "deje de", "dejar de", "paren de", "basta de", "ya no", "alto",
               "cancelar", "quiten", "quitenme", "borren", "nunca"),
        # Not "mande", "envie": without its accent that is also "I sent" (mandé, envié).
        objects=("mensajes", "mensaje", "textos", "texto", "sms", "manden", "envien", "mandar",
                 "enviar", "escriban", "escriba", "escribir",
                 "escribirme", "escribiendo", "mandando", "enviando", "mandarme", "enviarme",
                 "lista", "numero"),
        fillers=("me", "nos", "mas", "de", "a", "mi", "este", "esta", "estos", "esos", "los",
                 "las", "el", "la", "por", "aqui", "ningun", "quiero", "recibir", "su"),
    ),
    SentenceWords(
        "pt",
        verbs=("nao", "parem de", "pare de", "parar de", "chega de", "cancelar", "nunca"),
        objects=("mensagens", "mensagem", "mandar", "mandem", "enviar", "envie", "enviem",
                 "textos", "sms", "escrever", "escrevam", "mandando", "enviando", "lista",
                 "numero"),
        fillers=("me", "mais", "de", "essas", "estas", "as", "os", "o", "a", "meu", "para",
                 "pra", "mim", "quero", "receber", "ja", "da", "do"),
    ),
    SentenceWords(
        "vi",
        # Not "không" alone: "tôi không tin" is "I don't believe it", "không gửi" "didn't send".
        verbs=("đừng", "dừng", "ngừng", "ngưng", "thôi", "không muốn", "hủy", "dừng lại",
               "dung", "ngung", "thoi", "khong muon", "huy", "dung lai"),
        objects=("nhắn", "nhắn tin", "gửi", "gửi tin", "tin nhắn", "nhan", "nhan tin", "gui",
                 "gui tin", "tin nhan", "sms"),
        fillers=("nữa", "cho", "tôi", "em", "chị", "anh", "mình", "các", "những", "này", "nhận",
                 "nua", "toi", "cac", "nay"),
        fold_accents=False,
    ),
    SentenceWords(
        "zh",
        verbs=("不要", "别", "別", "停止", "不用", "请勿", "請勿", "勿", "不想", "取消", "不需要"),
        objects=("发", "發", "短信", "簡訊", "简讯", "信息", "訊息", "消息", "讯息", "传", "傳",
                 "发送", "發送", "打扰", "打擾"),
        fillers=("再", "给", "給", "我", "们", "們", "你", "你们", "你們", "以后", "以後",
                 "任何", "这些", "這些", "这种", "這種", "啦", "收到", "接收", "这个", "這個"),
    ),
    SentenceWords(
        "ar",
        verbs=("لا", "توقف", "توقفوا", "كفى", "الغاء", "الغوا", "اوقفوا", "لا اريد", "لا تعد",
               "لا تعيدوا"),
        objects=("ترسلوا", "ترسل", "ترسلي", "رسائل", "رسالة", "الرسائل", "ارسال", "تراسلوني",
                 "تراسلني", "نصية", "النصية", "مسجات"),
        fillers=("لي", "الي", "الى", "مرة اخرى", "بعد الان", "هذه", "اي", "عن", "ارجو", "اريد",
                 "من", "على", "هذا", "الرقم", "بعد اليوم"),
    ),
    SentenceWords(
        "tl",
        verbs=("tigil", "itigil", "tigilan", "hinto", "ihinto", "wag", "huwag", "ayoko",
               "ayaw ko", "stop"),
        objects=("mag text", "magtext", "text", "texts", "texting", "mensahe", "magmensahe",
                 "padala", "magpadala", "message", "mag message"),
        fillers=("na", "ako", "akin", "sa akin", "nyo", "ninyo", "niyo", "ng", "ang", "mga",
                 "kayo", "kayong", "sa", "ng mga"),
    ),
    SentenceWords(
        "ko",
        verbs=("그만", "마세요", "말아주세요", "말아 주세요", "말아요", "중지", "중단", "거부",
               "싫어요"),
        objects=("문자", "메시지", "메세지", "보내지", "보내세요", "보내", "연락", "수신"),
        fillers=("더", "이제", "더이상", "더 이상", "저한테", "저에게", "나한테", "주세요",
                 "해주세요", "해 주세요", "를", "을", "는", "받기", "하세요"),
    ),
    SentenceWords(
        "ru",
        verbs=("не", "хватит", "прекратите", "перестаньте", "больше не", "стоп", "отпишите",
               "удалите"),
        objects=("пишите", "присылайте", "отправляйте", "писать", "присылать", "отправлять",
                 "сообщения", "сообщений", "смс", "sms", "рассылку", "номер"),
        fillers=("мне", "меня", "больше", "эти", "мой", "из", "с", "списка", "уже", "нам",
                 "сюда", "никаких", "нужно", "надо"),
    ),
    SentenceWords(
        "uk",
        verbs=("не", "досить", "припиніть", "перестаньте", "більше не", "стоп", "видаліть"),
        objects=("пишіть", "надсилайте", "присилайте", "писати", "надсилати", "повідомлення",
                 "смс", "sms", "розсилку", "номер"),
        fillers=("мені", "мене", "більше", "ці", "мій", "з", "зі", "списку", "вже", "нам",
                 "сюди", "жодних", "треба"),
    ),
    SentenceWords(
        "fa",
        verbs=("نفرستید", "نفرستین", "نفرست", "ندهید", "لغو", "قطع", "متوقف کنید", "نمیخواهم",
               "نمی خواهم", "نمیخوام", "نمی خوام"),
        objects=("پیام", "پیامک", "پیامها", "پیام ها", "اس ام اس", "sms"),
        fillers=("دیگر", "دیگه", "به من", "من", "برای من", "این", "را", "رو", "دریافت", "کنم",
                 "هیچ", "به این شماره", "شماره", "بفرستید"),
    ),
    SentenceWords(
        "ps",
        verbs=("مه", "بند کړئ", "بند", "ودروئ"),
        objects=("پیغام", "پیغامونه", "لېږئ", "ولېږئ", "استوئ", "مسېج"),
        fillers=("ما ته", "ماته", "نور", "دا", "هیڅ"),
    ),
    SentenceWords(
        "pa",
        verbs=("ਬੰਦ", "ਨਾ", "ਮਤ", "band", "na"),
        objects=("ਮੈਸੇਜ", "ਸੁਨੇਹੇ", "ਸੁਨੇਹਾ", "ਭੇਜੋ", "ਭੇਜਣੇ", "ਭੇਜਣਾ", "message", "messages",
                 "msg", "bhejo", "sms"),
        fillers=("ਮੈਨੂੰ", "ਹੋਰ", "ਕਰੋ", "mainu", "hor", "karo"),
    ),
    SentenceWords(
        "ht",
        # Not "mwen" alone: "mwen pa voye mesaj" is "I did not send a message".
        verbs=("pa", "sispann", "kanpe", "pa janm", "mwen pa vle"),
        objects=("voye", "ekri", "mesaj", "tèks", "teks", "sms"),
        fillers=("m", "anko", "ban m", "ban mwen", "ba m", "ba mwen", "vle", "okenn"),
    ),
    SentenceWords(
        "so",
        verbs=("ha", "jooji", "joogso", "iga jooji", "ka jooji"),
        objects=("soo dirin", "dirin", "fariin", "fariimo", "farriin", "farriimo", "fariimaha",
                 "farriimaha", "qoraal", "sms"),
        fillers=("ii", "i", "mar dambe", "dambe", "kale", "waxba", "iga", "wax"),
    ),
    SentenceWords(
        "hmn",
        verbs=("tsis txhob", "txhob", "nres", "tsum", "tsis xav"),
        objects=("xa", "xa tuaj", "xa xov", "xov", "lus", "ntawv"),
        fillers=("kuv", "rau kuv", "tuaj", "ntxiv", "lawm", "dua", "tau"),
    ),
)  # fmt: skip
