#!/usr/bin/env python3
"""Regenerate the bundled sample inputs of sverka.

Writes, next to this script:
  kl_to_1c.txt  - 1CClientBankExchange 1.03 bank statement (Windows-1251, CRLF)
  invoices.csv  - invoice list exported from 1C (Windows-1251, CRLF, ';')

Python 3 standard library only; the output is deterministic (no clock, no
randomness). After writing, the script reads both files back and checks them:
INN check digits, account control keys, section arithmetic and turnovers.
Every company, INN and account here is made up.

Usage: python3 tools/make_samples.py (writes samples/)
"""

import csv
import io
import os
import sys
from datetime import date
from decimal import Decimal

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples")
STATEMENT = os.path.join(HERE, "kl_to_1c.txt")
INVOICES = os.path.join(HERE, "invoices.csv")

NBSP = "\u00a0"

# --------------------------------------------------------------------------
# Check digits
# --------------------------------------------------------------------------

W10 = [2, 4, 10, 3, 5, 9, 4, 6, 8]
W12_1 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]
W12_2 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]


def _ctl(digits, weights):
    return sum(int(d) * w for d, w in zip(digits, weights)) % 11 % 10


def inn10(base9):
    """Complete a 9-digit prefix into a valid legal-entity INN."""
    assert len(base9) == 9 and base9.isdigit()
    return base9 + str(_ctl(base9, W10))


def inn12(base10):
    """Complete a 10-digit prefix into a valid individual (ИП) INN."""
    assert len(base10) == 10 and base10.isdigit()
    s = base10 + str(_ctl(base10, W12_1))
    return s + str(_ctl(s, W12_2))


def inn_valid(inn):
    if len(inn) == 10 and inn.isdigit():
        return int(inn[9]) == _ctl(inn[:9], W10)
    if len(inn) == 12 and inn.isdigit():
        return (int(inn[10]) == _ctl(inn[:10], W12_1)
                and int(inn[11]) == _ctl(inn[:11], W12_2))
    return False


ACC_W = [7, 1, 3] * 8


def account(bik, head8, tail11):
    """Build a 20-digit account number with the Bank of Russia control key
    (position 9), computed against the last three digits of the BIK."""
    assert len(head8) == 8 and len(tail11) == 11
    raw = bik[-3:] + head8 + "0" + tail11
    s = sum(int(d) * w for d, w in zip(raw, ACC_W))
    key = (-s * 7) % 10  # 3 * 7 = 21 = 1 (mod 10)
    return head8 + str(key) + tail11


def account_valid(bik, acc):
    raw = bik[-3:] + acc
    return sum(int(d) * w for d, w in zip(raw, ACC_W)) % 10 == 0


# --------------------------------------------------------------------------
# Banks (BIK, correspondent account, name, city)
# --------------------------------------------------------------------------

BANKS = {
    "sber": ("044525225", "30101810400000000225", "ПАО СБЕРБАНК", "г. Москва"),
    "vtb": ("044525187", "30101810700000000187", "Банк ВТБ (ПАО)", "г. Москва"),
    "alfa": ("044525593", "30101810200000000593", 'АО "АЛЬФА-БАНК"', "г. Москва"),
    "psb": ("044525555", "30101810400000000555", 'ПАО "ПРОМСВЯЗЬБАНК"', "г. Москва"),
    "raif": ("044525700", "30101810200000000700", 'АО "РАЙФФАЙЗЕНБАНК"', "г. Москва"),
    "sber_ural": ("046577674", "30101810500000000674",
                  "УРАЛЬСКИЙ БАНК ПАО СБЕРБАНК", "г. Екатеринбург"),
    "tbank": ("044525974", "30101810145250000974", 'АО "ТБАНК"', "г. Москва"),
    "gpb": ("044525823", "30101810200000000823", "Банк ГПБ (АО)", "г. Москва"),
    "sber_kld": ("042748634", "30101810100000000634",
                 "КАЛИНИНГРАДСКОЕ ОТДЕЛЕНИЕ N8626 ПАО СБЕРБАНК", "г. Калининград"),
    "sber_sib": ("045004641", "30101810500000000641",
                 "СИБИРСКИЙ БАНК ПАО СБЕРБАНК", "г. Новосибирск"),
    "otkr": ("044525985", "30101810300000000985", 'ПАО Банк "ФК Открытие"', "г. Москва"),
    "mkb": ("044525659", "30101810745250000659",
            'ПАО "МОСКОВСКИЙ КРЕДИТНЫЙ БАНК"', "г. Москва"),
    "sovcom": ("043469743", "30101810300000000743", 'ПАО "СОВКОМБАНК"', "г. Кострома"),
}

# --------------------------------------------------------------------------
# Parties
# --------------------------------------------------------------------------


class Party:
    def __init__(self, key, name, inn, kpp, bank, acc, name1=None, composite=None):
        self.key = key
        self.name = name            # short name used in the invoice list
        self.inn = inn
        self.kpp = kpp
        self.bank = bank
        self.acc = acc
        self.name1 = name1 or name  # name as the bank prints it (…1)
        # composite Плательщик/Получатель field
        self.composite = composite if composite is not None else f"ИНН {inn} {self.name1}"


def party(key, name, inn, kpp, bank, head8, tail11, name1=None):
    return Party(key, name, inn, kpp, bank,
                 account(BANKS[bank][0], head8, tail11), name1)


OUR_INN = inn10("770123456")
OUR_KPP = "770101001"
OUR_NAME = 'ООО "Северный ветер"'
MAIN_ACC = "40702810400000012345"   # fixed by the brief (Сбербанк)
SECOND_ACC = "40702810938000067890"  # fixed by the brief (ВТБ)

OUR_MAIN = Party("our_main", OUR_NAME, OUR_INN, OUR_KPP, "sber", MAIN_ACC)
OUR_SECOND = Party("our_second", OUR_NAME, OUR_INN, OUR_KPP, "vtb", SECOND_ACC)

P = {}
for p in [
    # scenario 1: INN fixed by the brief (already valid)
    Party("romashka", 'ООО "Ромашка"', "7707083893", "770701001", "alfa",
          account(BANKS["alfa"][0], "40702810", "02000014472")),
    party("vektor", 'АО "Вектор"', inn10("772541893"), "772501001",
          "psb", "40702810", "00000183221"),
    party("tehnoprom", 'ООО "ТехноПром"', inn10("503214762"), "503201001",
          "raif", "40702810", "00000041876"),
    party("granit", 'ООО "Гранит"', inn10("667108245"), "667101001",
          "sber_ural", "40702810", "16540029384",
          name1='ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "ГРАНИТ"'),
    party("meridian", 'ООО "Меридиан"', inn10("781462037"), "781401001",
          "sber", "40702810", "38000112407"),
    party("kedr", 'ООО "Кедр"', inn10("440118372"), "440101001",
          "sovcom", "40702810", "02950007731"),
    party("polyus", 'ПАО "Полюс"', inn10("770364251"), "770301001",
          "gpb", "40702810", "00000009154"),
    Party("sokolova", "ИП Соколова Анна Сергеевна", inn12("7716054382"), "",
          "tbank", account(BANKS["tbank"][0], "40802810", "00004729163")),
    party("baltic", 'ООО "Балтийский берег"', inn10("390612847"), "390601001",
          "sber_kld", "40702810", "20100003718"),
    party("sibagro", 'ООО "Сибирь-Агро"', inn10("540521378"), "540501001",
          "sber_sib", "40702810", "44050018263"),
    party("energo", 'АО "Энергосбыт Плюс"', inn10("661234507"), "661201001",
          "otkr", "40702810", "00003306511"),
    party("supplier", 'ООО "Поставщик-Сервис"', inn10("773456120"), "773401001",
          "mkb", "40702810", "00000072604"),
]:
    P[p.key] = p

# Scenario 5: a private person paying by card through the bank's transit account.
CARD_PAYER = Party("card", "ИВАНОВ ИВАН ИВАНОВИЧ", "0", "", "tbank",
                   account(BANKS["tbank"][0], "30232810", "00000089412"),
                   composite="ИВАНОВ ИВАН ИВАНОВИЧ")
# Bank commission goes to Sber's own income account (706…). The bank's INN is
# left empty on purpose: the real one would collide with scenario 1's INN.
BANK_INCOME = Party("sber_income", "ПАО СБЕРБАНК", "", "", "sber",
                    account(BANKS["sber"][0], "70601810", "38176020103"),
                    composite="ПАО СБЕРБАНК")

# --------------------------------------------------------------------------
# Statement documents, in cash-date order
# --------------------------------------------------------------------------
# (kind, number, doc date, amount text, payer, payee, ДатаСписано, ДатаПоступило, purpose)
PP = "Платежное поручение"
BO = "Банковский ордер"

DOCS = [
    # 1. Ромашка, first part
    (PP, "312", "05.01.2024", "40000.00", P["romashka"], OUR_MAIN, "", "05.01.2024",
     "Оплата по счету №10 от 01.01.2024 за товар, в т.ч. НДС 20% 6666.67"),
    # (a) own-account transfer main -> second
    (PP, "57", "15.02.2024", "300000.00", OUR_MAIN, OUR_SECOND, "15.02.2024", "15.02.2024",
     "Перевод собственных средств"),
    # 1. Ромашка, second part (overpays invoice 10 by 10 000)
    (PP, "389", "19.02.2024", "70000.00", P["romashka"], OUR_MAIN, "", "20.02.2024",
     "Оплата по сч. 10 от 01.01.24. НДС не облагается"),
    # (c) bank commission
    (BO, "771204", "29.02.2024", "1250.00", OUR_MAIN, BANK_INCOME, "29.02.2024", "",
     "Комиссия за ведение счета за февраль 2024 г. НДС не облагается"),
    # 3. ТехноПром, one payment for three invoices, to the second account
    (PP, "1045", "01.03.2024", "30000.00", P["tehnoprom"], OUR_SECOND, "", "04.03.2024",
     "Оплата по сч.45,46,47 за материалы, в т.ч. НДС 20% - 5000.00"),
    # (b) outgoing payment to a supplier
    (PP, "64", "12.03.2024", "48000.00", OUR_MAIN, P["supplier"], "12.03.2024", "",
     "Оплата по счету № 512 от 01.03.2024 за аренду"),
    # 5. unidentified private payer via transit account
    (PP, "938271", "14.03.2024", "5000", CARD_PAYER, OUR_MAIN, "", "14.03.2024",
     "Перевод средств по договору без НДС"),
    # 2. Вектор, partial payment (integer amount)
    (PP, "2217", "19.03.2024", "30000", P["vektor"], OUR_MAIN, "", "20.03.2024",
     "Частичная оплата по счету № 21 от 01.03.2024"),
    # 8. Полюс, names invoice 146 by its short number, to the second account
    (PP, "4512", "20.03.2024", "10000.00", P["polyus"], OUR_SECOND, "", "20.03.2024",
     "Оплата по сч. № 146 от 01.03.24 за услуги. Сумма 10000-00, в т.ч. НДС(20%) 1666-67"),
    # 4. Гранит, no invoice named
    (PP, "87", "25.03.2024", "40000.00", P["granit"], OUR_MAIN, "", "25.03.2024",
     "Оплата за товар"),
    # 12. Энергосбыт Плюс, prepayment under a contract
    (PP, "15733", "27.03.2024", "25000.00", P["energo"], OUR_MAIN, "", "28.03.2024",
     "Предоплата по договору № 12/2024 от 15.03.2024 за электроэнергию"),
    # 10. Балтийский берег, dated 29.03 but credited 01.04
    (PP, "205", "29.03.2024", "20000.00", P["baltic"], OUR_MAIN, "", "01.04.2024",
     "Оплата по счету 88 от 19.03.2024"),
]

PERIOD_START = "01.01.2024"
PERIOD_END = "01.04.2024"
OPENING = {MAIN_ACC: Decimal("318426.15"), SECOND_ACC: Decimal("27815.40")}


def d(s):
    return date(int(s[6:10]), int(s[3:5]), int(s[0:2]))


def money(x):
    return f"{x:.2f}"


def turnovers(docs, acc, start, end):
    """Credits/debits of acc from docs with cash date inside [start, end]."""
    inc = out = Decimal("0")
    for kind, num, ddate, amt, payer, payee, ds, dp, purpose in docs:
        a = Decimal(amt)
        if payee.acc == acc and dp and start <= d(dp) <= end:
            inc += a
        if payer.acc == acc and ds and start <= d(ds) <= end:
            out += a
    return inc, out


def party_lines(role, p):
    b = BANKS[p.bank]
    date_key = "ДатаСписано" if role == "Плательщик" else "ДатаПоступило"
    return [
        (f"{role}Счет", p.acc),
        (date_key, None),  # filled in by the caller
        (role, p.composite),
        (f"{role}ИНН", p.inn),
        (f"{role}КПП", p.kpp),
        (f"{role}1", p.name1),
        (f"{role}РасчСчет", p.acc),
        (f"{role}Банк1", b[2]),
        (f"{role}Банк2", b[3]),
        (f"{role}БИК", b[0]),
        (f"{role}Корсчет", b[1]),
    ]


def build_statement():
    out = [
        "1CClientBankExchange",
        "ВерсияФормата=1.03",
        "Кодировка=Windows",
        "Отправитель=Сбербанк Бизнес Онлайн",
        "Получатель=1С:Бухгалтерия предприятия",
        "ДатаСоздания=02.04.2024",
        "ВремяСоздания=09:14:27",
        f"ДатаНачала={PERIOD_START}",
        f"ДатаКонца={PERIOD_END}",
        f"РасчСчет={MAIN_ACC}",
        f"РасчСчет={SECOND_ACC}",
        "Документ=Платежное поручение",
        "Документ=Банковский ордер",
    ]
    for acc in (MAIN_ACC, SECOND_ACC):
        inc, dec = turnovers(DOCS, acc, d(PERIOD_START), d(PERIOD_END))
        opening = OPENING[acc]
        out += [
            "СекцияРасчСчет",
            f"ДатаНачала={PERIOD_START}",
            f"ДатаКонца={PERIOD_END}",
            f"РасчСчет={acc}",
            f"НачальныйОстаток={money(opening)}",
            f"ВсегоПоступило={money(inc)}",
            f"ВсегоСписано={money(dec)}",
            f"КонечныйОстаток={money(opening + inc - dec)}",
            "КонецРасчСчет",
        ]
    for kind, num, ddate, amt, payer, payee, ds, dp, purpose in DOCS:
        out += [f"СекцияДокумент={kind}", f"Номер={num}", f"Дата={ddate}", f"Сумма={amt}"]
        for k, v in party_lines("Плательщик", payer):
            out.append(f"{k}={ds if k == 'ДатаСписано' else v}")
        for k, v in party_lines("Получатель", payee):
            out.append(f"{k}={dp if k == 'ДатаПоступило' else v}")
        out += [
            "ВидПлатежа=",
            "ВидОплаты=" + ("17" if kind == BO else "01"),
            "Код=0",
            "Очередность=5",
            f"НазначениеПлатежа={purpose}",
            "КонецДокумента",
        ]
    out.append("КонецФайла")
    return "\r\n".join(out) + "\r\n"


# --------------------------------------------------------------------------
# Invoice list
# --------------------------------------------------------------------------

HEADER = ["Вид документа", "Номер", "Дата", "Срок оплаты", "Контрагент", "ИНН", "КПП",
          "Договор", "Сумма", "Валюта", "Ответственный", "Основание"]

INV = "Счет на оплату"
RET = "Возврат товаров"
IVANOV, PETROVA, SIDOROV = "Иванов И.И.", "Петрова А.С.", "Сидоров К.П."

# (kind, number, date, due, party, contract, amount in kopecks, currency, manager, basis, nbsp)
INVOICE_ROWS = [
    (INV, "7", "01.10.2023", "15.10.2023", "kedr", "Договор № К-14 от 01.09.2023",
     8750000, "руб.", SIDOROV, "", False),
    (RET, "2", "20.10.2023", "", "kedr", "Договор № К-14 от 01.09.2023",
     750000, "руб.", SIDOROV, "7", False),
    (INV, "10", "01.01.2024", "10.01.2024", "romashka", "Договор поставки № 01/24 от 01.01.2024",
     10000000, "руб.", IVANOV, "", False),
    (INV, "5", "05.01.2024", "15.01.2024", "sibagro", "Основной договор",
     4500000, "", IVANOV, "", False),
    (INV, "101", "01.02.2024 0:00:00", "10.03.2024", "granit",
     "Договор поставки № Г-08 от 10.01.2024", 3000000, "руб.", SIDOROV, "", True),
    (INV, "33", "01.02.2024 0:00:00", "", "sokolova", "Основной договор",
     1200000, "", PETROVA, "", False),
    (INV, "45", "05.02.2024", "05.03.2024", "tehnoprom", "Договор № ТП-2024/02 от 01.02.2024",
     1000000, "руб.", IVANOV, "", False),
    (INV, "46", "05.02.2024", "05.03.2024", "tehnoprom", "Договор № ТП-2024/02 от 01.02.2024",
     1550050, "руб.", IVANOV, "", False),
    (INV, "47", "05.02.2024", "05.03.2024", "tehnoprom", "Договор № ТП-2024/02 от 01.02.2024",
     449950, "руб.", IVANOV, "", False),
    (INV, "102", "15.02.2024", "20.03.2024", "granit", "Договор поставки № Г-08 от 10.01.2024",
     2000000, "руб.", SIDOROV, "", False),
    (INV, "00БП-000145", "20.02.2024", "01.03.2024", "polyus",
     "Договор оказания услуг № ПЛ-09 от 01.02.2024", 1000000, "руб.", IVANOV, "", False),
    (INV, "103", "20.02.2024", "05.03.2024", "granit", "Договор поставки № Г-08 от 10.01.2024",
     2500000, "руб.", SIDOROV, "", False),
    (INV, "21", "01.03.2024", "15.03.2024", "vektor", "Договор № В-112 от 20.02.2024",
     5000000, "руб.", PETROVA, "", False),
    (INV, "00БП-000146", "01.03.2024", "15.03.2024", "polyus",
     "Договор оказания услуг № ПЛ-09 от 01.02.2024", 1000000, "руб.", IVANOV, "", False),
    (INV, "88", "19.03.2024", "29.03.2024", "baltic", "Основной договор",
     2000000, "руб.", SIDOROV, "", False),
    (INV, "150", "25.03.2024", "24.04.2024", "meridian", "Договор № М-3 от 25.03.2024",
     6000000, "", PETROVA, "", True),
]


def rub(kop, sep=" "):
    """100000,00 style with a thousands separator: 8750000 -> '87 500,00'."""
    whole, frac = divmod(kop, 100)
    s = f"{whole:,}".replace(",", sep)
    return f"{s},{frac:02d}"


def build_invoices():
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", quotechar='"', quoting=csv.QUOTE_MINIMAL,
                   lineterminator="\r\n")
    w.writerow(HEADER)
    for kind, num, dt, due, key, contract, kop, cur, mgr, basis, nbsp in INVOICE_ROWS:
        p = P[key]
        w.writerow([kind, num, dt, due, p.name, p.inn, p.kpp, contract,
                    rub(kop, NBSP if nbsp else " "), cur, mgr, basis])
    return buf.getvalue()


# --------------------------------------------------------------------------
# Read-back checks
# --------------------------------------------------------------------------


def parse_statement(text):
    header, sections, docs, cur = {}, [], [], None
    for line in text.split("\r\n"):
        if line in ("СекцияРасчСчет",) or line.startswith("СекцияДокумент="):
            cur = {"_kind": line.partition("=")[2]} if "=" in line else {}
            continue
        if line == "КонецРасчСчет":
            sections.append(cur)
            cur = None
            continue
        if line == "КонецДокумента":
            docs.append(cur)
            cur = None
            continue
        if "=" in line:
            k, _, v = line.partition("=")
            target = header if cur is None else cur
            if k in target and cur is None:
                target[k] = target[k] + [v] if isinstance(target[k], list) else [target[k], v]
            else:
                target[k] = v
    return header, sections, docs


def verify():
    raw = open(STATEMENT, "rb").read()
    text = raw.decode("cp1251")
    assert b"\n" not in raw.replace(b"\r\n", b""), "stray LF in statement"
    lines = text.split("\r\n")
    assert lines[0] == "1CClientBankExchange" and lines[-2] == "КонецФайла" and lines[-1] == ""
    header, sections, docs = parse_statement(text)
    ours = header["РасчСчет"]
    assert ours == [MAIN_ACC, SECOND_ACC], ours
    start, end = d(header["ДатаНачала"]), d(header["ДатаКонца"])
    assert len(docs) == len(DOCS)
    prev = None
    for doc in docs:
        amt = doc["Сумма"]
        assert amt.replace(".", "", 1).isdigit()
        ds, dp = doc["ДатаСписано"], doc["ДатаПоступило"]
        payer_ours = doc["ПлательщикСчет"] in ours
        payee_ours = doc["ПолучательСчет"] in ours
        cash = dp if payee_ours and not payer_ours else ds
        assert cash and start <= d(cash) <= end, doc["Номер"]
        assert prev is None or d(cash) >= prev, "documents are not in cash-date order"
        prev = d(cash)
        for role in ("Плательщик", "Получатель"):
            inn = doc[role + "ИНН"]
            if inn not in ("", "0"):
                assert inn_valid(inn), inn
            assert doc[role + "Счет"] == doc[role + "РасчСчет"]
            assert len(doc[role + "Счет"]) == 20
            if doc[role + "Счет"] not in (MAIN_ACC, SECOND_ACC):
                assert account_valid(doc[role + "БИК"], doc[role + "Счет"]), doc[role + "Счет"]
    for sec in sections:
        acc = sec["РасчСчет"]
        o, i, s, c = (Decimal(sec[k]) for k in
                      ("НачальныйОстаток", "ВсегоПоступило", "ВсегоСписано", "КонечныйОстаток"))
        assert o + i - s == c, acc
        s_start, s_end = d(sec["ДатаНачала"]), d(sec["ДатаКонца"])
        inc = sum((Decimal(x["Сумма"]) for x in docs if x["ПолучательСчет"] == acc
                   and x["ДатаПоступило"] and s_start <= d(x["ДатаПоступило"]) <= s_end),
                  Decimal("0"))
        dec = sum((Decimal(x["Сумма"]) for x in docs if x["ПлательщикСчет"] == acc
                   and x["ДатаСписано"] and s_start <= d(x["ДатаСписано"]) <= s_end),
                  Decimal("0"))
        assert (inc, dec) == (i, s), (acc, inc, dec, i, s)
        print(f"  section {acc}: {o} + {i} - {s} = {c}")

    raw = open(INVOICES, "rb").read()
    text = raw.decode("cp1251")
    assert b"\n" not in raw.replace(b"\r\n", b""), "stray LF in invoices"
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == HEADER
    assert sum(NBSP in r[8] for r in rows[1:]) == 2
    for r in rows[1:]:
        assert len(r) == len(HEADER) and inn_valid(r[5]), r
    assert inn_valid(OUR_INN)
    print(f"  our INN {OUR_INN}; {len(docs)} documents; {len(rows) - 1} invoice rows")


def main():
    with open(STATEMENT, "wb") as f:
        f.write(build_statement().encode("cp1251"))
    with open(INVOICES, "wb") as f:
        f.write(build_invoices().encode("cp1251"))
    print(f"wrote {STATEMENT}\nwrote {INVOICES}")
    verify()
    print("checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
