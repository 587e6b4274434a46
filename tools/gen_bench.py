#!/usr/bin/env python3
"""Benchmark input generator for sverka: a year of one company's exports, of a given size.

Writes into --out DIR:

  kl_to_1c.txt  1CClientBankExchange 1.03 statement (Windows-1251, CRLF) of about
                --size-mib MiB: header, one СекцияРасчСчет whose ВсегоПоступило,
                ВсегоСписано and КонечныйОстаток are the real sums of the documents,
                then the payment orders in date order, then КонецФайла.
  invoices.csv  the invoice list as 1C users save it (Windows-1251, CRLF, ';',
                amounts like "1 234,56"):
                Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма;Менеджер;Договор
  orders.xml    CommerceML 2.10 orders («Заказ товара», our role «Продавец») for about
                5% of the invoices, with the same numbers, dates and amounts as in the
                CSV: the same debt in two exports, which must be counted once.
  .bench-meta   key=value facts for tools/bench.sh (hidden: sverka skips hidden files).

What the data holds (all of it made up; INNs pass their checksums, accounts their
Bank of Russia control keys):
  * --customers customers (about 80% companies with 10-digit INNs, 20% ИП with 12-digit
    INNs), a few of them buying much more than the rest; 200 suppliers;
  * invoices on every working day of --year, numbered in date order, some written with
    a 1C prefix ("00БП-000045"), some without a due date;
  * payments, about 75% incoming from customers: most name their invoice, in every
    form of behaviours.md section 5 B ("Оплата по счету № 45 от 12.03.2024",
    "Оплата по сч. 45 от 12.03.24", "сч.45,46,47", "счета №№ 45-47",
    "по счёту 00БП-000045", "Оплата по сч.N45", zero-padded "0045"), with VAT text
    ("в т.ч. НДС (20%) 1 234.56") and contract numbers ("по договору № 12/2024");
    some name nothing ("Оплата за товар"), some pay part of an invoice, some overpay,
    some pay two or three invoices at once (exactly, short or long); a few come from
    individuals without INN (ИП paying from a personal card), a few are acquiring
    payouts; the rest are outgoing: suppliers, and a few refunds of overpayments.

Deterministic: the same arguments give the same bytes (no clock, one seeded RNG).
Fast enough for 1 GiB in a few minutes: party blocks are rendered once, output is
written in large chunks. Python 3 standard library only.

Usage:
  tools/gen_bench.py --out DIR --size-mib 100 [--seed 1] [--customers 2000] [--year 2024]
"""

import argparse
import datetime as dt
import math
import os
import random
import sys
import time

CRLF = "\r\n"
NBSP = "\u00a0"
STATEMENT = "kl_to_1c.txt"
INVOICES = "invoices.csv"
ORDERS = "orders.xml"
META = ".bench-meta"

# ---------------------------------------------------------------------------
# Check digits
# ---------------------------------------------------------------------------

W10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
W12A = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
W12B = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _ctl(digits, weights):
    return sum(int(d) * w for d, w in zip(digits, weights)) % 11 % 10


def inn10(base9):
    """A company INN: 9 digits and their check digit."""
    return base9 + str(_ctl(base9, W10))


def inn12(base10):
    """A person's (ИП) INN: 10 digits and both check digits."""
    s = base10 + str(_ctl(base10, W12A))
    return s + str(_ctl(s, W12B))


def account(bik, head8, tail11):
    """A 20-digit account "head8 + key + tail11" whose control key fits the BIK."""
    for key in "0123456789":
        acc = head8 + key + tail11
        raw = bik[-3:] + acc
        if sum(int(d) * (7, 1, 3)[i % 3] for i, d in enumerate(raw)) % 10 == 0:
            return acc
    raise AssertionError("no control key")  # unreachable: weight 1 at the key position


# ---------------------------------------------------------------------------
# Dictionaries
# ---------------------------------------------------------------------------

# (name, city, BIK, correspondent account): real banks' public requisites.
BANKS = [
    ("ПАО СБЕРБАНК", "г. Москва", "044525225", "30101810400000000225"),
    ('АО "АЛЬФА-БАНК"', "г. Москва", "044525593", "30101810200000000593"),
    ('АО "ТБАНК"', "г. Москва", "044525974", "30101810145250000974"),
    ("БАНК ВТБ (ПАО)", "г. Москва", "044525187", "30101810700000000187"),
    ('АО "РАЙФФАЙЗЕНБАНК"', "г. Москва", "044525700", "30101810200000000700"),
    ('ООО "Банк Точка"', "г. Москва", "044525104", "30101810745374525104"),
    ("ПАО СБЕРБАНК", "г. Новосибирск", "045004641", "30101810500000000641"),
    ("ПАО СБЕРБАНК", "г. Екатеринбург", "046577674", "30101810500000000674"),
]
FORMS = ["ООО", "ООО", "ООО", "ООО", "АО", "ПАО", "ЗАО"]
WORD1 = [
    "Северный", "Южный", "Уральский", "Сибирский", "Балтийский", "Волжский", "Восточный",
    "Центральный", "Новый", "Первый", "Торговый", "Промышленный", "Технический", "Строительный",
    "Городской", "Областной", "Медицинский", "Агро", "Энерго", "Транс",
]
WORD2 = [
    "Альянс", "Вектор", "Гранит", "Меридиан", "Кедр", "Полюс", "Ресурс", "Стандарт", "Партнер",
    "Капитал", "Логистик", "Снаб", "Комплект", "Сервис", "Маркет", "Холдинг", "Терминал",
    "Проект", "Импульс", "Горизонт", "Берег", "Ромашка", "Светоч", "Прогресс",
]
SURNAMES = [
    ("Иванов", "Иванова"), ("Петров", "Петрова"), ("Сидоров", "Сидорова"), ("Кузнецов", "Кузнецова"),
    ("Смирнов", "Смирнова"), ("Попов", "Попова"), ("Соколов", "Соколова"), ("Морозов", "Морозова"),
    ("Волков", "Волкова"), ("Лебедев", "Лебедева"), ("Козлов", "Козлова"), ("Новиков", "Новикова"),
]
MALE = ["Иван", "Пётр", "Сергей", "Андрей", "Дмитрий", "Алексей", "Михаил", "Николай"]
FEMALE = ["Анна", "Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана"]
PATRONYMIC_M = ["Иванович", "Петрович", "Сергеевич", "Андреевич", "Николаевич", "Михайлович"]
PATRONYMIC_F = ["Ивановна", "Петровна", "Сергеевна", "Андреевна", "Николаевна", "Михайловна"]
MANAGERS = [
    "Иванов И.И.", "Петрова А.С.", "Сидоров К.П.", "Кузнецова Е.В.", "Смирнов Д.А.",
    "Попова О.Н.", "Соколов М.Ю.", "Морозова Т.Г.", "Волков А.А.", "Лебедева Н.И.",
]
GOODS = ["товар", "товары", "продукцию", "материалы", "запасные части", "оборудование", "услуги"]
SUPPLIES = [
    "сырье", "материалы", "комплектующие", "транспортные услуги", "аренду склада",
    "электроэнергию", "услуги связи", "упаковку", "ГСМ", "канцтовары",
]
MONTHS = [
    "январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
    "октябрь", "ноябрь", "декабрь",
]

# ---------------------------------------------------------------------------
# Formatting helpers
# ---------------------------------------------------------------------------


def money_dot(kop):
    """Statement amount: 1234.56."""
    return f"{kop // 100}.{kop % 100:02d}"


def money_ru(kop, sep=" ", dec=","):
    """1 234,56 (list amounts, purposes)."""
    whole = f"{kop // 100:,}".replace(",", sep)
    return f"{whole}{dec}{kop % 100:02d}"


def money_dash(kop):
    """1234-56 (how bank clients often write kopecks)."""
    return f"{kop // 100}-{kop % 100:02d}"


def vat_of(kop):
    """VAT included at 20%: amount * 20 / 120, rounded half up."""
    return (kop * 20 + 60) // 120


def csv_field(s):
    if '"' in s or ";" in s:
        return '"' + s.replace('"', '""') + '"'
    return s


def xml_text(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# ---------------------------------------------------------------------------
# Parties
# ---------------------------------------------------------------------------


class Party:
    __slots__ = (
        "name", "inn", "kpp", "accounts", "person", "person_blocks", "term", "manager",
        "contract", "contract_date", "short", "pay_no", "pair", "blocks_in", "blocks_out",
    )


class Gen:
    """One data set. `sink` receives the statement documents as text; `csv` and `xml`
    (optional) receive the invoice rows and the orders."""

    P_BATCH = 0.07  # an invoice unit is 2-3 invoices of one customer on one day
    P_ORDER = 0.05  # an invoice also exported as a CommerceML order
    P_PREFIX = 0.10  # an invoice numbered with a 1C prefix
    SUPPLIERS_PER_INVOICE = 0.26
    ACQUIRING_PER_INVOICE = 0.015
    # Fates of a single invoice.
    FATES = [
        ("ref", 56), ("noref", 8), ("partial2", 5), ("partial1", 3), ("over", 4),
        ("pair", 7), ("open", 10), ("late", 7),
    ]

    def __init__(self, seed, customers, year, n_invoices):
        self.r = random.Random(seed)
        self.year = year
        self.n_invoices = n_invoices
        r = self.r
        # Working days of the year (no holiday calendar: weekends only).
        d, self.days = dt.date(year, 1, 1), []
        while d.year == year:
            if d.weekday() < 5:
                self.days.append(d)
            d += dt.timedelta(days=1)
        self.day_s = [f"{x:%d.%m.%Y}" for x in self.days]
        self.inns = set()
        own_bank = BANKS[0]
        self.own = self.company('ООО "Вершина Трейд"', own_bank, "40702810")
        self.own_acc = self.own.accounts[0][0]
        self.own_recv = self.receiver_block(self.own, self.own.accounts[0])
        self.own_pay_head = f"ПлательщикСчет={self.own_acc}{CRLF}"
        self.own_pay_rest = self.payer_block(self.own, self.own.accounts[0], with_head=False)
        self.customers = [self.customer() for _ in range(customers)]
        # A few customers buy much more than the others (Zipf-like weights).
        order = list(range(customers))
        r.shuffle(order)
        w = [0.0] * customers
        for rank, i in enumerate(order):
            w[i] = 1.0 / (rank + 1) ** 0.8
        self.cum = []
        acc = 0.0
        for x in w:
            acc += x
            self.cum.append(acc)
        self.suppliers = [self.supplier() for _ in range(200)]
        sber = BANKS[0]
        self.acquirer = self.party_from(
            "ПАО СБЕРБАНК", "7707083893", "773601001",
            [(account(sber[2], "30233810", "0" + self.digits(10)), sber)],
        )
        self.acquirer_block = self.payer_block(self.acquirer, self.acquirer.accounts[0])
        # Counters.
        self.inv_no = 0
        self.out_no = 0
        self.stats = dict(
            documents=0, incoming=0, customer_payments=0, individuals=0, acquiring=0,
            outgoing=0, suppliers=0, refunds=0, invoices=0, orders=0,
            total_in=0, total_out=0, no_reference=0, multi=0, partial=0, overpaid=0,
        )

    # -- parties --------------------------------------------------------------

    def digits(self, n):
        return f"{self.r.randrange(10 ** n):0{n}d}"

    def new_inn(self, person):
        while True:
            inn = inn12(self.digits(10)) if person else inn10(self.digits(9))
            if inn not in self.inns and not inn.startswith("00") and inn != "7707083893":
                self.inns.add(inn)
                return inn

    def party_from(self, name, inn, kpp, accounts):
        p = Party()
        p.name, p.inn, p.kpp, p.accounts = name, inn, kpp, accounts
        p.person = None
        return p

    def company(self, name, bank, head8):
        inn = self.new_inn(False)
        kpp = inn[:4] + "01001"
        acc = account(bank[2], head8, self.digits(11))
        return self.party_from(name, inn, kpp, [(acc, bank)])

    def person_name(self):
        r = self.r
        sur = r.choice(SURNAMES)
        if r.random() < 0.6:
            return sur[0], r.choice(MALE), r.choice(PATRONYMIC_M)
        return sur[1], r.choice(FEMALE), r.choice(PATRONYMIC_F)

    def customer(self):
        r = self.r
        if r.random() < 0.2:
            sur, first, patr = self.person_name()
            name = f"ИП {sur} {first} {patr}"
            inn = self.new_inn(True)
            bank = r.choice(BANKS)
            p = self.party_from(name, inn, "", [(account(bank[2], "40802810", self.digits(11)), bank)])
            card_bank = r.choice(BANKS[:3])
            card = account(card_bank[2], "40817810", self.digits(11))
            person = f"{sur} {first} {patr}".upper()
            p.short = f"ИП {sur} {first[0]}.{patr[0]}."
            # Paying from a personal card: no INN (empty or "0"), no KPP.
            p.person = [
                self.payer_block(self.party_from(person, no_inn, "", [(card, card_bank)]), (card, card_bank))
                for no_inn in ("", "0")
            ]
        else:
            name = f'{r.choice(FORMS)} "{r.choice(WORD1)} {r.choice(WORD2)}"'
            bank = r.choice(BANKS)
            p = self.company(name, bank, "40702810")
            if r.random() < 0.15:
                bank2 = r.choice(BANKS)
                p.accounts.append((account(bank2[2], "40702810", self.digits(11)), bank2))
            p.short = name
        p.term = r.choice([5, 10, 10, 14, 14, 14, 30, 30, 45, None]) if r.random() < 0.95 else None
        p.manager = r.choice(MANAGERS)
        p.contract = f"{r.randint(1, 300)}/{self.year}"
        p.contract_date = dt.date(self.year - 1, 1, 1) + dt.timedelta(days=r.randint(0, 360))
        p.pay_no = r.randint(1, 900)
        p.pair = None
        p.blocks_in = [self.payer_block(p, a) for a in p.accounts]
        p.blocks_out = [self.receiver_block(p, a) for a in p.accounts]
        return p

    def supplier(self):
        r = self.r
        p = self.company(f'{r.choice(FORMS)} "{r.choice(WORD1)} {r.choice(WORD2)}"', r.choice(BANKS), "40702810")
        p.blocks_out = [self.receiver_block(p, a) for a in p.accounts]
        return p

    @staticmethod
    def payer_block(p, acc, with_head=True):
        """From ПлательщикСчет (incoming: ДатаСписано empty) to ПлательщикКорсчет."""
        number, bank = acc
        shown = f"ИНН {p.inn} {p.name}" if p.inn not in ("", "0") else p.name
        lines = []
        if with_head:
            lines += [f"ПлательщикСчет={number}", "ДатаСписано="]
        lines += [
            f"Плательщик={shown}",
            f"ПлательщикИНН={p.inn}",
            f"ПлательщикКПП={p.kpp}",
            f"Плательщик1={p.name}",
            f"ПлательщикРасчСчет={number}",
            f"ПлательщикБанк1={bank[0]}",
            f"ПлательщикБанк2={bank[1]}",
            f"ПлательщикБИК={bank[2]}",
            f"ПлательщикКорсчет={bank[3]}",
        ]
        return CRLF.join(lines) + CRLF

    @staticmethod
    def receiver_block(p, acc):
        """From Получатель to ПолучательКорсчет (ПолучательСчет and ДатаПоступило precede it)."""
        number, bank = acc
        lines = [
            f"Получатель=ИНН {p.inn} {p.name}",
            f"ПолучательИНН={p.inn}",
            f"ПолучательКПП={p.kpp}",
            f"Получатель1={p.name}",
            f"ПолучательРасчСчет={number}",
            f"ПолучательБанк1={bank[0]}",
            f"ПолучательБанк2={bank[1]}",
            f"ПолучательБИК={bank[2]}",
            f"ПолучательКорсчет={bank[3]}",
        ]
        return CRLF.join(lines) + CRLF

    TAIL = CRLF.join([
        "ВидПлатежа=", "ВидОплаты=01", "Код=0", "СтатусСоставителя=", "ПоказательКБК=", "ОКАТО=",
        "ПоказательОснования=", "ПоказательПериода=", "ПоказательНомера=", "ПоказательДаты=",
        "ПоказательТипа=", "Очередность=5",
    ]) + CRLF

    # -- amounts and texts ------------------------------------------------------

    def amount(self):
        r = self.r
        rub = int(math.exp(r.gauss(10.6, 1.2)))
        rub = min(max(rub, 300), 9_000_000)
        if r.random() < 0.4:
            return rub * 100
        return rub * 100 + r.randrange(100)

    def vat_text(self, kop):
        r = self.r
        x = r.random()
        vat = vat_of(kop)
        if x < 0.40:
            return f"в т.ч. НДС (20%) {money_ru(vat, ' ', '.')}"
        if x < 0.60:
            return f"в т.ч. НДС 20% - {money_ru(vat)} руб."
        if x < 0.75:
            return f"Сумма {money_dash(kop)} в т.ч. НДС(20%) {money_dash(vat)}"
        if x < 0.90:
            return "НДС не облагается"
        return f"В т.ч. НДС (20%) {money_ru(vat, NBSP)} руб."

    def ref_text(self, inv, kop):
        """A purpose naming one invoice `inv` = (number as written, core, date)."""
        r = self.r
        written, core, date = inv
        d4 = f"{date:%d.%m.%Y}"
        d2 = f"{date:%d.%m.%y}"
        vat = self.vat_text(kop)
        if written != str(core):  # a 1C-prefixed number
            if r.random() < 0.6:
                return f"Оплата по счёту {written} от {d4}г. {vat}"
            return f"Оплата по сч {core} от {d2} за {r.choice(GOODS)}, {vat}"
        x = r.random()
        if x < 0.25:
            return f"Оплата по счету № {core} от {d4} за {r.choice(GOODS)}, {vat}"
        if x < 0.45:
            return f"Оплата по сч. {core} от {d2}, {vat}"
        if x < 0.55:
            return f"Оплата по сч.N{core} за {r.choice(GOODS)}. {vat}"
        if x < 0.67:
            return f"Оплата по договору № {self.cur.contract} от {self.cur.contract_date:%d.%m.%Y}, счет № {core} от {d4}. {vat}"
        if x < 0.77:
            return f"Предоплата по счету №{core} от {d4} за поставку товара. {vat}"
        if x < 0.85:
            return f"Оплата по счету {core:04d} {vat}"
        if x < 0.93:
            return f"Оплата по сч. № {core} от {d4}г. по договору поставки № {self.cur.contract}. {vat}"
        return f"Оплата счета {core} от {d4}. {vat}"

    def noref_text(self, kop, date):
        r = self.r
        x = r.random()
        vat = self.vat_text(kop)
        if x < 0.4:
            return f"Оплата за товар. {vat}"
        if x < 0.75:
            return f"Оплата по договору № {self.cur.contract} от {self.cur.contract_date:%d.%m.%Y} за {MONTHS[date.month - 1]}. {vat}"
        return f"Оплата за {r.choice(GOODS)} согласно договору поставки. {vat}"

    def list_text(self, invs, kop):
        """Two or three invoices of one day with consecutive numbers."""
        r = self.r
        cores = [c for _, c, _ in invs]
        date = invs[0][2]
        vat = self.vat_text(kop)
        x = r.random()
        if x < 0.35:
            return f"Оплата по сч.{','.join(map(str, cores))} {vat}"
        if x < 0.65 and len(cores) >= 2:
            return f"Оплата по счетам №№ {cores[0]}-{cores[-1]} от {date:%d.%m.%Y} {vat}"
        if x < 0.85:
            return f"Оплата по сч. {', '.join(map(str, cores))} от {date:%d.%m.%Y}, {vat}"
        return f"Оплата по счетам № {' и № '.join(map(str, cores))} от {date:%d.%m.%y}. {vat}"

    def pair_text(self, a, b, kop):
        r = self.r
        vat = self.vat_text(kop)
        if r.random() < 0.5:
            return f"Оплата по счетам № {a[1]} от {a[2]:%d.%m.%Y} и № {b[1]} от {b[2]:%d.%m.%Y}. {vat}"
        return f"Оплата по сч {a[1]} и {b[1]}, {vat}"

    # -- the plan ---------------------------------------------------------------

    def later(self, di, mean):
        """A working-day index some days after `di` (may be past the year: dropped)."""
        return di + int(self.r.expovariate(1.0 / mean))

    def schedule(self, di, event):
        if di < len(self.days):
            self.buckets.setdefault(di, []).append(event)

    def pay(self, di, cust, kop, purpose, person=False):
        self.schedule(di, ("in", cust, kop, purpose, person))

    def new_invoice(self, cust, di, kop):
        """Numbers the invoice, writes it to the list (and maybe as an order)."""
        r = self.r
        self.inv_no += 1
        core = self.inv_no
        written = f"00БП-{core:06d}" if r.random() < self.P_PREFIX else str(core)
        date = self.days[di]
        due = date + dt.timedelta(days=cust.term) if cust.term is not None else None
        self.stats["invoices"] += 1
        if self.csv is not None:
            self.csv.append(
                f"{written};{self.day_s[di]};{'' if due is None else f'{due:%d.%m.%Y}'};"
                f"{csv_field(cust.name)};{cust.inn};{money_ru(kop)};{cust.manager};"
                f"{csv_field(f'Договор поставки № {cust.contract} от {cust.contract_date:%d.%m.%Y}')}{CRLF}"
            )
        if self.xml is not None and r.random() < self.P_ORDER:
            self.stats["orders"] += 1
            self.xml.append(self.order_xml(cust, written, date, due, kop))
        return (written, core, date)

    def order_xml(self, cust, written, date, due, kop):
        r = self.r
        uid = f"{r.getrandbits(128):032x}"
        uid = f"{uid[:8]}-{uid[8:12]}-{uid[12:16]}-{uid[16:20]}-{uid[20:]}"
        kpp = f"<КПП>{cust.kpp}</КПП>" if cust.kpp else ""
        due_xml = f"\t\t<СрокПлатежа>{due:%Y-%m-%d}</СрокПлатежа>\n" if due else ""
        return (
            "\t<Документ>\n"
            f"\t\t<Ид>{uid}</Ид>\n"
            f"\t\t<Номер>{written}</Номер>\n"
            f"\t\t<Дата>{date:%Y-%m-%d}</Дата>\n"
            "\t\t<ХозОперация>Заказ товара</ХозОперация>\n"
            "\t\t<Роль>Продавец</Роль>\n"
            "\t\t<Валюта>643</Валюта>\n"
            "\t\t<Курс>1</Курс>\n"
            f"\t\t<Сумма>{money_dot(kop)}</Сумма>\n"
            "\t\t<Контрагенты>\n"
            f"{self.own_xml}"
            "\t\t\t<Контрагент>\n"
            f"\t\t\t\t<Наименование>{xml_text(cust.name)}</Наименование>\n"
            f"\t\t\t\t<ОфициальноеНаименование>{xml_text(cust.name)}</ОфициальноеНаименование>\n"
            f"\t\t\t\t<ИНН>{cust.inn}</ИНН>{kpp}\n"
            "\t\t\t\t<Роль>Покупатель</Роль>\n"
            "\t\t\t</Контрагент>\n"
            "\t\t</Контрагенты>\n"
            "\t\t<Время>10:00:00</Время>\n"
            f"{due_xml}"
            f"\t\t<Комментарий>Заказ по договору № {cust.contract}</Комментарий>\n"
            "\t</Документ>\n"
        )

    def invoices_of_day(self, di, count):
        r = self.r
        made = 0
        while made < count:
            cust = self.customers[self.pick()]
            self.cur = cust
            if count - made >= 2 and r.random() < self.P_BATCH:
                k = 2 if r.random() < 0.6 or count - made < 3 else 3
                invs, amounts = [], []
                for _ in range(k):
                    kop = self.amount()
                    invs.append(self.new_invoice(cust, di, kop))
                    amounts.append(kop)
                made += k
                total = sum(amounts)
                x = r.random()
                if x < 0.6:
                    paid = total
                elif x < 0.8:  # short: the last one stays partly open
                    paid = total - max(100, amounts[-1] * r.randint(5, 60) // 100)
                    self.stats["partial"] += 1
                else:  # long: an advance is left
                    paid = total + r.randint(1, 50) * 10000
                    self.stats["overpaid"] += 1
                self.stats["multi"] += 1
                self.pay(self.later(di, 9), cust, paid, self.list_text(invs, paid))
                continue
            made += 1
            kop = self.amount()
            inv = self.new_invoice(cust, di, kop)
            fate = r.choices(self.fate_names, cum_weights=self.fate_cum)[0]
            if fate in ("ref", "late"):
                when = self.later(di, 8 if fate == "ref" else 40)
                if cust.person is not None and r.random() < 0.3:
                    self.pay(when, cust, kop, self.person_text(inv, kop), person=True)
                else:
                    self.pay(when, cust, kop, self.ref_text(inv, kop))
            elif fate == "noref":
                self.stats["no_reference"] += 1
                self.pay(self.later(di, 8), cust, kop, self.noref_text(kop, self.days[di]))
            elif fate in ("partial2", "partial1"):
                self.stats["partial"] += 1
                first = max(100, kop * r.randint(20, 70) // 100 // 100 * 100)
                when = self.later(di, 6)
                text = self.ref_text(inv, first)
                self.pay(when, cust, first, "Частичная " + text[0].lower() + text[1:])
                if fate == "partial2" and kop - first > 0:
                    self.pay(self.later(when, 15), cust, kop - first, self.ref_text(inv, kop - first))
            elif fate == "over":
                self.stats["overpaid"] += 1
                extra = r.randint(1, 100) * 1000 if r.random() < 0.7 else r.randint(1, 99)
                when = self.later(di, 8)
                self.pay(when, cust, kop + extra, self.ref_text(inv, kop + extra))
                if r.random() < 0.3:
                    self.schedule(when + r.randint(3, 15), ("refund", cust, extra, when))
            elif fate == "pair":
                if cust.pair is None:
                    cust.pair = (inv, kop)
                else:
                    (a, akop), cust.pair = cust.pair, None
                    self.stats["multi"] += 1
                    self.pay(self.later(di, 8), cust, akop + kop, self.pair_text(a, inv, akop + kop))
            # "open": never paid

    def person_text(self, inv, kop):
        written, core, date = inv
        if self.r.random() < 0.5:
            return f"Оплата по счету № {written} от {date:%d.%m.%Y} за {self.cur.short}. Без НДС"
        return f"Оплата по сч. {core} от {date:%d.%m.%y} за {self.r.choice(GOODS)}. НДС не облагается"

    def pick(self):
        r = self.r
        return r.choices(self.cust_index, cum_weights=self.cum)[0]

    # -- rendering ----------------------------------------------------------------

    def render_in(self, di, payer_block, number, kop, purpose):
        order_day = di - 1 if di > 0 and self.r.random() < 0.2 else di
        self.stats["total_in"] += kop
        self.stats["incoming"] += 1
        return (
            f"СекцияДокумент=Платежное поручение{CRLF}Номер={number}{CRLF}Дата={self.day_s[order_day]}{CRLF}"
            f"Сумма={money_dot(kop)}{CRLF}{payer_block}ПолучательСчет={self.own_acc}{CRLF}"
            f"ДатаПоступило={self.day_s[di]}{CRLF}{self.own_recv}{self.TAIL}"
            f"НазначениеПлатежа={purpose}{CRLF}КонецДокумента{CRLF}"
        )

    def render_out(self, di, receiver, acc, kop, purpose):
        self.out_no += 1
        self.stats["total_out"] += kop
        self.stats["outgoing"] += 1
        d = self.day_s[di]
        return (
            f"СекцияДокумент=Платежное поручение{CRLF}Номер={self.out_no}{CRLF}Дата={d}{CRLF}"
            f"Сумма={money_dot(kop)}{CRLF}{self.own_pay_head}ДатаСписано={d}{CRLF}{self.own_pay_rest}"
            f"ПолучательСчет={acc}{CRLF}ДатаПоступило={CRLF}{receiver}{self.TAIL}"
            f"НазначениеПлатежа={purpose}{CRLF}КонецДокумента{CRLF}"
        )

    def run(self, sink, csv=None, xml=None):
        """Generates the year. `sink`, `csv`, `xml` are lists flushed by the caller via
        `flush` (called here every day)."""
        r = self.r
        self.sink, self.csv, self.xml = sink, csv, xml
        self.fate_names = [f for f, _ in self.FATES]
        self.fate_cum = []
        acc = 0
        for _, w in self.FATES:
            acc += w
            self.fate_cum.append(acc)
        self.cust_index = list(range(len(self.customers)))
        self.own_xml = (
            "\t\t\t<Контрагент>\n"
            f"\t\t\t\t<Наименование>{xml_text(self.own.name)}</Наименование>\n"
            f"\t\t\t\t<ИНН>{self.own.inn}</ИНН><КПП>{self.own.kpp}</КПП>\n"
            "\t\t\t\t<Роль>Продавец</Роль>\n"
            "\t\t\t</Контрагент>\n"
        )
        self.buckets = {}
        ndays = len(self.days)
        per_day = self.n_invoices / ndays
        inv_acc = sup_acc = acq_acc = 0.0
        st = self.stats
        for di in range(ndays):
            inv_acc += per_day
            n = int(inv_acc)
            inv_acc -= n
            self.invoices_of_day(di, n)
            events = self.buckets.pop(di, [])
            sup_acc += per_day * self.SUPPLIERS_PER_INVOICE
            acq_acc += per_day * self.ACQUIRING_PER_INVOICE
            n_sup, n_acq = int(sup_acc), int(acq_acc)
            sup_acc -= n_sup
            acq_acc -= n_acq
            events.extend([("supplier",)] * n_sup)
            events.extend([("acquiring",)] * n_acq)
            r.shuffle(events)
            for ev in events:
                kind = ev[0]
                if kind == "in":
                    _, cust, kop, purpose, person = ev
                    cust.pay_no = cust.pay_no + 1 if cust.pay_no < 999999 else 1
                    if person:
                        block = r.choice(cust.person)
                        st["individuals"] += 1
                    else:
                        block = cust.blocks_in[0] if len(cust.blocks_in) == 1 else r.choice(cust.blocks_in)
                        st["customer_payments"] += 1
                    sink.append(self.render_in(di, block, cust.pay_no, kop, purpose))
                elif kind == "supplier":
                    sup = r.choice(self.suppliers)
                    kop = self.amount()
                    x = r.random()
                    date = self.days[max(0, di - r.randint(0, 20))]
                    if x < 0.6:
                        purpose = (f"Оплата по счету № {r.randint(1, 99999)} от {date:%d.%m.%Y} "
                                   f"за {r.choice(SUPPLIES)}. {self.vat_text(kop)}")
                    elif x < 0.85:
                        purpose = (f"Оплата по договору № {r.randint(1, 999)}-{r.choice('АПСТ')} "
                                   f"за {r.choice(SUPPLIES)} за {MONTHS[date.month - 1]} {self.year} г. {self.vat_text(kop)}")
                    else:
                        purpose = f"Предоплата по сч. {r.randint(1, 9999)}/{r.randint(1, 99)} за {r.choice(SUPPLIES)}. {self.vat_text(kop)}"
                    st["suppliers"] += 1
                    sink.append(self.render_out(di, sup.blocks_out[0], sup.accounts[0][0], kop, purpose))
                elif kind == "acquiring":
                    gross = r.randint(5_000, 400_000) * 100 + r.randrange(100)
                    fee = gross * 2 // 100
                    reg = self.day_s[di - 1 if di > 0 else di]
                    purpose = (f"Зачисление средств по операциям эквайринга. Мерчант №{r.randint(100000, 999999)}. "
                               f"Дата реестра {reg}. Комиссия {money_dot(fee)}. Возврат покупок 0.00. НДС не облагается")
                    st["acquiring"] += 1
                    sink.append(self.render_in(di, self.acquirer_block, r.randint(1, 99999), gross - fee, purpose))
                else:  # refund of an overpayment
                    _, cust, kop, paid_di = ev
                    purpose = (f"Возврат излишне перечисленных средств по п/п № {cust.pay_no} "
                               f"от {self.day_s[paid_di]}. НДС не облагается")
                    st["refunds"] += 1
                    sink.append(self.render_out(di, cust.blocks_out[0], cust.accounts[0][0], kop, purpose))
            st["documents"] += len(events)
            self.flush()

    def flush(self):
        pass

    def header(self, opening):
        st = self.stats
        start, end = self.days[0].replace(day=1, month=1), dt.date(self.year, 12, 31)
        closing = opening + st["total_in"] - st["total_out"]
        lines = [
            "1CClientBankExchange",
            "ВерсияФормата=1.03",
            "Кодировка=Windows",
            "Отправитель=Бухгалтерия предприятия, редакция 3.0",
            "Получатель=",
            f"ДатаСоздания={end:%d.%m.%Y}",
            "ВремяСоздания=18:00:00",
            f"ДатаНачала={start:%d.%m.%Y}",
            f"ДатаКонца={end:%d.%m.%Y}",
            f"РасчСчет={self.own_acc}",
            "Документ=Платежное поручение",
            "СекцияРасчСчет",
            f"ДатаНачала={start:%d.%m.%Y}",
            f"ДатаКонца={end:%d.%m.%Y}",
            f"РасчСчет={self.own_acc}",
            f"НачальныйОстаток={money_dot(opening)}",
            f"ВсегоПоступило={money_dot(st['total_in'])}",
            f"ВсегоСписано={money_dot(st['total_out'])}",
            f"КонечныйОстаток={money_dot(closing)}",
            "КонецРасчСчет",
        ]
        return CRLF.join(lines) + CRLF


class Counter(list):
    """A sink that only counts characters (cp1251: one byte each)."""

    def __init__(self):
        super().__init__()
        self.chars = 0

    def append(self, s):
        self.chars += len(s)


class FileSink(list):
    """Collects text and writes it encoded in large chunks."""

    def __init__(self, f, encoding):
        super().__init__()
        self.f, self.encoding, self.bytes = f, encoding, 0

    def drain(self, force=False):
        if self and (force or len(self) >= 2000):
            b = "".join(self).encode(self.encoding)
            self.f.write(b)
            self.bytes += len(b)
            self.clear()


def calibrate(seed, customers, year, target):
    """Statement bytes per invoice, measured on a small data set of the same shape.

    The shape depends on how many invoices each customer has (pairs of invoices paid
    together need two), so the sample keeps the ratio of invoices to customers."""
    n = 6000
    rough = max(1.0, target / 1150)  # about 1150 statement bytes per invoice
    sample_customers = max(1, min(customers, round(customers * n / rough)))
    g = Gen(seed ^ 0x5EED, sample_customers, year, n)
    sink = Counter()
    g.run(sink)
    return sink.chars / n


def copy_into(dst, src_path):
    with open(src_path, "rb") as src:
        fd_in, fd_out = src.fileno(), dst.fileno()
        dst.flush()
        try:
            while os.copy_file_range(fd_in, fd_out, 1 << 30) > 0:
                pass
        except (AttributeError, OSError):
            src.seek(0)
            dst.seek(0, os.SEEK_END)
            while True:
                b = src.read(1 << 24)
                if not b:
                    break
                dst.write(b)


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Writes kl_to_1c.txt, invoices.csv, orders.xml and .bench-meta into DIR.",
    )
    ap.add_argument("--out", required=True, metavar="DIR", help="output folder (created if missing)")
    ap.add_argument("--size-mib", type=float, required=True, metavar="N",
                    help="statement size to aim at, in MiB (the result is within a few per cent)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--customers", type=int, default=2000, metavar="N", help="number of customers (default 2000)")
    ap.add_argument("--year", type=int, default=2024, help="the year the data covers (default 2024)")
    a = ap.parse_args()
    if a.size_mib <= 0:
        ap.error("--size-mib must be positive")
    if a.customers < 1:
        ap.error("--customers must be at least 1")
    t0 = time.monotonic()
    os.makedirs(a.out, exist_ok=True)
    target = int(a.size_mib * 1024 * 1024)
    per_invoice = calibrate(a.seed, a.customers, a.year, target)
    n_invoices = max(10, round(target / per_invoice))

    g = Gen(a.seed, a.customers, a.year, n_invoices)
    body_path = os.path.join(a.out, ".kl_to_1c.body.tmp")
    st_path = os.path.join(a.out, STATEMENT)
    csv_path = os.path.join(a.out, INVOICES)
    xml_path = os.path.join(a.out, ORDERS)
    with open(body_path, "wb", buffering=1 << 20) as fb, \
            open(csv_path, "wb", buffering=1 << 20) as fc, \
            open(xml_path, "wb", buffering=1 << 20) as fx:
        body = FileSink(fb, "cp1251")
        rows = FileSink(fc, "cp1251")
        orders = FileSink(fx, "utf-8")
        rows.append(f"Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма;Менеджер;Договор{CRLF}")
        orders.append(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_210" '
            f'ВерсияСхемы="2.10" ДатаФормирования="{a.year}-12-31T18:00:00">\n'
        )

        def flush():
            body.drain()
            rows.drain()
            orders.drain()

        g.flush = flush
        g.run(body, rows, orders)
        orders.append("</КоммерческаяИнформация>\n")
        body.drain(True)
        rows.drain(True)
        orders.drain(True)
    opening = g.r.randint(100_000, 5_000_000) * 100
    with open(st_path, "wb") as f:
        head = g.header(opening).encode("cp1251")
        f.write(head)
        copy_into(f, body_path)
        f.seek(0, os.SEEK_END)
        f.write(("КонецФайла" + CRLF).encode("cp1251"))
    os.remove(body_path)
    st = g.stats
    sizes = {name: os.path.getsize(os.path.join(a.out, name)) for name in (STATEMENT, INVOICES, ORDERS)}
    as_of = f"{a.year}-12-31"
    meta = {
        "generator": "gen_bench.py",
        "seed": a.seed,
        "customers": a.customers,
        "year": a.year,
        "size_mib": a.size_mib,
        "as_of": as_of,
        "documents": st["documents"],
        "incoming": st["incoming"],
        "outgoing": st["outgoing"],
        "invoices": st["invoices"],
        "orders": st["orders"],
        "statement_bytes": sizes[STATEMENT],
        "invoices_bytes": sizes[INVOICES],
        "orders_bytes": sizes[ORDERS],
        "input_bytes": sum(sizes.values()),
    }
    with open(os.path.join(a.out, META), "w", encoding="utf-8") as f:
        f.write("".join(f"{k}={v}\n" for k, v in meta.items()))
    mib = 1024 * 1024
    cust_in = st["customer_payments"] + st["individuals"]
    print(f"{a.out}: seed {a.seed}, {a.customers} customers, year {a.year}, as of {as_of}")
    print(f"  {STATEMENT}: {sizes[STATEMENT]} bytes ({sizes[STATEMENT] / mib:.1f} MiB), "
          f"{st['documents']} documents")
    print(f"    incoming {st['incoming']}: from customers {st['customer_payments']}, from individuals "
          f"without INN {st['individuals']}, acquiring payouts {st['acquiring']} "
          f"({100 * cust_in / max(1, st['documents']):.1f}% of documents are customers' payments)")
    print(f"    outgoing {st['outgoing']}: to suppliers {st['suppliers']}, refunds {st['refunds']}")
    print(f"    invoice units paid with no reference {st['no_reference']}, several invoices at once "
          f"{st['multi']}, partly {st['partial']}, overpaid {st['overpaid']}")
    print(f"    received {money_dot(st['total_in'])}, paid out {money_dot(st['total_out'])}")
    print(f"  {INVOICES}: {sizes[INVOICES]} bytes ({sizes[INVOICES] / mib:.1f} MiB), {st['invoices']} invoices")
    print(f"  {ORDERS}: {sizes[ORDERS]} bytes ({sizes[ORDERS] / mib:.1f} MiB), {st['orders']} orders "
          f"(also in {INVOICES})")
    print(f"  {time.monotonic() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
