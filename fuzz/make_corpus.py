#!/usr/bin/env python3
"""Writes the seed corpus under fuzz/corpus/<target>/ from the repository's own samples,
fixtures and hand-written snippets (no outside files). Run from the repository root:
`python3 fuzz/make_corpus.py`. The seeds are committed; what the fuzzer adds is not
(fuzz/corpus/*/ holds only the files this script writes, see .gitignore)."""

import io
import os
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus")


def read(path):
    with open(os.path.join(ROOT, path), "rb") as f:
        return f.read()


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def cp1251(text):
    return text.encode("cp1251")


# A long line the readers must read, refuse or skip with a message: the targets expand
# the marker \xFE\xFD<k> into k KiB of 'x' (and the huge_* seeds, once per process,
# into 10 MiB), so seeds stay small.
def inflate_marker(k=255):
    return b"\xfe\xfd" + bytes([k])


# ---- 1CClientBankExchange -------------------------------------------------------------
SAMPLE_STATEMENT = read("samples/kl_to_1c.txt")  # Windows-1251, CRLF
HEAD = "1CClientBankExchange\nВерсияФормата=1.03\nКодировка=Windows\nРасчСчет=40702810000000000001\n"
DOC = ("СекцияДокумент=Платежное поручение\nНомер=17\nДата=29.03.2024\nСумма=20000\n"
       "ПлательщикСчет=40702810900000000002\nПлательщикИНН=7707083893\nПлательщик1=ООО \"Ромашка\"\n"
       "ПолучательСчет=40702810000000000001\nДатаПоступило=01.04.2024\n"
       "НазначениеПлатежа=Оплата по сч. № 45 от 12.03.24\n")
ACCOUNT = ("СекцияРасчСчет\nДатаНачала=01.03.2024\nДатаКонца=31.03.2024\nРасчСчет=40702810000000000001\n"
           "НачальныйОстаток=1000.00\nВсегоПоступило=20000\nВсегоСписано=0\nКонечныйОстаток=21000.00\nКонецРасчСчет\n")
small = HEAD + ACCOUNT + DOC + "КонецДокумента\nКонецФайла\n"
statements = {
    "sample_cp1251.txt": SAMPLE_STATEMENT,
    "sample_utf8.txt": SAMPLE_STATEMENT.decode("cp1251").encode("utf-8"),
    "sample_utf8_bom_lf.txt": b"\xef\xbb\xbf" + SAMPLE_STATEMENT.decode("cp1251").replace("\r\n", "\n").encode("utf-8"),
    "small_cp1251.txt": cp1251(small),
    "small_utf8.txt": small,
    "no_end.txt": cp1251(HEAD + DOC),
    "cut_document.txt": cp1251(HEAD + DOC[:60]),
    "bad_amount.txt": cp1251(HEAD + DOC.replace("Сумма=20000", "Сумма=1234567890123456789,00") + "КонецДокумента\nКонецФайла\n"),
    "lone_cr.txt": cp1251(small.replace("\n", "\r")),
    # A 10 MiB purpose and a 10 MiB line after the header (expanded by the target).
    "huge_purpose.txt": cp1251(HEAD + DOC.rstrip("\n")) + inflate_marker() + cp1251("\nКонецДокумента\nКонецФайла\n"),
    "huge_line.txt": cp1251(HEAD) + inflate_marker() + cp1251("\n" + DOC + "КонецДокумента\nКонецФайла\n"),
}
for name, data in statements.items():
    put("clientbank", name, data)

# The statement read in parts: the small ones above (not the 10 MiB cases, which this
# target does not expand) and one with enough documents, a balance section in the middle
# and two bad dates to be cut in several places. (The target's folder also keeps the two
# inputs its first runs found, named for what they showed.)
for name, data in statements.items():
    if not name.startswith("huge"):
        put("clientbank_parts", name, data)
many = HEAD
for i in range(24):
    if i == 12:
        many += ("СекцияРасчСчет\nДатаНачала=01.03.2024\nРасчСчет=40702810000000000001\n"
                 "НачальныйОстаток=0\nВсегоПоступило=1\nВсегоСписано=0\nКонечныйОстаток=1\nКонецРасчСчет\n")
    many += (DOC.replace("Номер=17", "Номер=%d" % i).replace("29.03.2024", "31.02.2024" if i % 7 == 3 else "29.03.2024")
             + "КонецДокумента\n")
put("clientbank_parts", "many_documents.txt", cp1251((many + "КонецФайла\n").replace("\n", "\r\n")))

# ---- delimited lists -------------------------------------------------------------------
SAMPLE_LIST = read("samples/invoices.csv")  # Windows-1251, ';', CRLF
lists = {
    "sample_cp1251.csv": SAMPLE_LIST,
    "sample_utf8_bom.csv": b"\xef\xbb\xbf" + SAMPLE_LIST.decode("cp1251").encode("utf-8"),
    "tabs.tsv": "Amount\tCustomer\tDate\tNumber\tINN\tDue date\n1234.50\tRomashka\t2024-03-12 10:00:00\tA-7\t7707083893\t\n",
    "preamble.csv": "Счета на оплату покупателям\nПериод: март 2024\n\nNumber,Date,Customer,Amount\n1,01.03.2024,A,100\n2,02.03.2024,B,200.5\nИтого,,,300.5\n",
    "kinds.csv": ("Вид документа;Номер;Дата;Покупатель;ИНН;Сумма;Основание\n"
                  "Счет на оплату;10;01.01.2024;Ромашка;7707083893;100 000,00;\n"
                  "Возврат товаров;3;10.01.2024;Ромашка;7707083893;5 000,00;10\n"
                  "Поступление;77;11.01.2024;Ромашка;7707083893;95 000,00;10\n"),
    "quotes.csv": "Номер;Дата;Контрагент;ИНН/КПП;Сумма;Срок оплаты\r\n45;12.03.2024;\"ООО \"\"Ромашка\"\"\";7707083893/770701001;1\u00a0234,56;22.03.2024\r\n46;13.03.2024;\"open quote;7707083893;1,00;\r\n",
    "bad_rows.csv": "Номер;Дата;Контрагент;Сумма\n1;01.03.2024;A;10\n2;31.02.2024;B;10\n3;01.03.2024;C;ten\n4;01.03.2024;D;99999999999999999999\n",
    "huge_cell.csv": "Номер;Дата;Контрагент;Сумма\n1;01.03.2024;".encode() + inflate_marker() + ";10\n2;01.03.2024;B;20\n".encode(),
}
for name, data in lists.items():
    put("delimited", name, data)

# ---- XLSX: whole workbooks and the part form the target packs itself -----------------
SHEET = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>'
         '<row r="2"><c r="A2"><v>45</v></c><c r="B2" s="1"><v>45363</v></c><c r="C2" t="s"><v>5</v></c><c r="D2"><v>7707083893</v></c><c r="E2"><v>1234.56</v></c></row>'
         '<row r="3"><c r="A3" t="inlineStr"><is><t>БП-46</t></is></c><c r="B3" t="str"><v>13.03.2024</v></c><c r="C3" t="s"><v>5</v></c><c r="D3" t="s"><v>6</v></c><c r="E3" t="str"><v>1 000,00</v></c></row>'
         '<row r="4"><c r="A4" t="b"><v>1</v></c><c r="B4" t="e"><v>#N/A</v></c><c r="C4" t="s"><v>99</v></c><c r="XFD4"><v>1e308</v></c><c r="E4"><v>-0.001</v></c></row>'
         '</sheetData></worksheet>')
STRINGS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="7" uniqueCount="7">'
           '<si><t>Номер</t></si><si><t>Дата</t></si><si><t>Контрагент</t></si><si><t>ИНН</t></si><si><t>Сумма</t></si>'
           '<si><t>ООО "Ромашка"</t></si><si><r><t>7725</t></r><r><t>418937</t></r></si></sst>')
WORKBOOK = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<workbookPr date1904="false"/><sheets><sheet name="Лист1" sheetId="1" r:id="rId1"/></sheets></workbook>')
STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1">'
          '<numFmt numFmtId="164" formatCode="dd.mm.yyyy"/></numFmts><cellXfs count="2"><xf numFmtId="0"/>'
          '<xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>')
CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WB_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
           '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
           '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
           '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>')


def workbook(sheet=SHEET, strings=STRINGS, compress=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compress) as z:
        for name, text in [("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS),
                           ("xl/_rels/workbook.xml.rels", WB_RELS), ("xl/workbook.xml", WORKBOOK),
                           ("xl/styles.xml", STYLES), ("xl/sharedStrings.xml", strings),
                           ("xl/worksheets/sheet1.xml", sheet)]:
            z.writestr(zipfile.ZipInfo(name, (2024, 3, 31, 10, 0, 0)), text)
    return buf.getvalue()


put("xlsx", "list_deflated.xlsx", workbook())
put("xlsx", "list_stored.xlsx", workbook(compress=zipfile.ZIP_STORED))
put("xlsx", "parts_list", "\xff".join([SHEET, STRINGS]).encode("utf-8").replace(b"\xc3\xbf", b"\xff"))
put("xlsx", "parts_all", b"\xff".join(p.encode() for p in [SHEET, STRINGS, WORKBOOK, STYLES]))
put("xlsx", "parts_no_list", b"\xff".join(p.encode() for p in [
    SHEET.replace('t="s"><v>0</v>', 't="s"><v>6</v>'), STRINGS]))
# Found by the fuzzer: seven column letters overflow calamine's column arithmetic.
put("xlsx", "parts_long_column", b"\xff".join(p.encode() for p in [
    SHEET.replace('r="A1"', 'r="PURPOSEA1"'), STRINGS]))
# Found by the fuzzer: a claim the old check could not see (a stray uniqueCount= first,
# the table's start tag past the first 4 KiB).
put("xlsx", "parts_hidden_count", b"\xff".join(p.encode() for p in [
    SHEET, STRINGS.replace('<sst ', '<!-- uniqueCount=x ' + '-' * 5000 + ' -->\n<sst ').replace('uniqueCount="7"', 'uniqueCount="4000000000"')]))
put("xlsx", "parts_huge_count", b"\xff".join(p.encode() for p in [
    SHEET, STRINGS.replace('uniqueCount="7"', 'uniqueCount="4000000000"')]))

# ---- CommerceML -----------------------------------------------------------------------
CML_DOC = ('  <Документ>\n    <Ид>ce943e88-531b-11f0-912d-3c58c2c0cbf9</Ид>\n    <Номер>239</Номер>\n    <Дата>2025-06-27</Дата>\n'
           '    <ХозОперация>Счет на оплату</ХозОперация>\n    <Роль>Продавец</Роль>\n    <Валюта>643</Валюта>\n    <Курс>1</Курс>\n'
           '    <Сумма>29535</Сумма>\n    <Контрагенты>\n      <Контрагент>\n        <ОфициальноеНаименование>ООО "Профили"</ОфициальноеНаименование>\n'
           '        <ИНН>7701234560</ИНН>\n        <КПП>773601001</КПП>\n        <Роль>Продавец</Роль>\n      </Контрагент>\n'
           '      <Контрагент>\n        <Ид>c1</Ид>\n        <ОфициальноеНаименование>ООО &quot;Артэ&quot;</ОфициальноеНаименование>\n'
           '        <ИНН>7707083893</ИНН>\n        <Роль>Покупатель</Роль>\n      </Контрагент>\n    </Контрагенты>\n'
           '    <СрокПлатежа>2025-07-10</СрокПлатежа>\n    <ПометкаУдаления>false</ПометкаУдаления>\n'
           '    <ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>Номер по 1С</Наименование><Значение>БП-239</Значение></ЗначениеРеквизита></ЗначенияРеквизитов>\n'
           '  </Документ>\n')
cml208 = ('<?xml version="1.0" encoding="windows-1251"?>\n<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" '
          'ВерсияСхемы="2.08" ДатаФормирования="2025-06-30T10:13:28">\n' + CML_DOC + '</КоммерческаяИнформация>\n')
cml31 = ('\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_3" ВерсияСхемы="3.1" '
         'ДатаФормирования="2024-03-31T10:00:00">\n<Контейнер>\n<Документ><Ид>ord-1</Ид><Номер>501</Номер><Дата>2024-03-01</Дата>'
         '<ХозОперация>Заказ товара</ХозОперация><Роль>Продавец</Роль><Валюта>RUB</Валюта><Сумма>12000.00</Сумма><Контрагенты>'
         '<Контрагент><Ид>c1</Ид><Наименование>Вектор</Наименование><ИНН>7725418937</ИНН><Роль>Покупатель</Роль></Контрагент>'
         '</Контрагенты><СрокПлатежа>2024-03-05</СрокПлатежа></Документ>\n<Документ><Ид>pay-1</Ид><Номер>77</Номер><Дата>2024-03-04</Дата>'
         '<ХозОперация>Выплата безналичных денег</ХозОперация><Роль>Продавец</Роль><Валюта>RUB</Валюта><Сумма>12000.00</Сумма>'
         '<Основание>ord-1</Основание></Документ>\n</Контейнер>\n</КоммерческаяИнформация>\n')
cml1 = ('<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация ВерсияСхемы="1.021">\n'
        '<Документ ХозОперация="Счет на оплату" Номер="12" Дата="2024-02-01" Сумма="500.00" Валюта="руб" Ид="d1">'
        '<ПредприятиеВДокументе Роль="Покупатель" Контрагент="k1"/></Документ>\n'
        '<Контрагент Идентификатор="k1" Наименование="ООО Ромашка" ИНН="7707083893"/>\n</КоммерческаяИнформация>\n')
put("commerceml", "cml_2_08_cp1251.xml", cp1251(cml208))
put("commerceml", "cml_2_08_utf8.xml", cml208.replace("windows-1251", "UTF-8"))
put("commerceml", "cml_3_1_container.xml", cml31)
put("commerceml", "cml_1_attributes.xml", cml1)
put("commerceml", "cml_entities.xml", '<?xml version="1.0"?>\n<!DOCTYPE КоммерческаяИнформация [\n <!ENTITY a "aaaaaaaaaa">\n]>\n<КоммерческаяИнформация>&a;&#1056;&lt;</КоммерческаяИнформация>\n')
put("commerceml", "cml_deep.xml", "<КоммерческаяИнформация>" + "<a>" * 120 + "</a>" * 120 + "</КоммерческаяИнформация>")

# ---- EnterpriseData: our fixtures -----------------------------------------------------
for name in sorted(os.listdir(os.path.join(ROOT, "tests/fixtures/enterprisedata"))):
    if name.endswith(".xml"):
        put("enterprisedata", name, read("tests/fixtures/enterprisedata/" + name))
put("enterprisedata", "ed_1_8_invoices_cp1251.xml",
    read("tests/fixtures/enterprisedata/ed_1_8_invoices.xml").decode("utf-8").replace('encoding="UTF-8"', 'encoding="windows-1251"').encode("cp1251", "replace"))

# ---- formats: one of each, through detection and the loader -------------------------
for target in ["clientbank", "delimited", "xlsx", "commerceml", "enterprisedata"]:
    d = os.path.join(OUT, target)
    for name in sorted(os.listdir(d)):
        if not name.startswith("parts_") and not name.startswith("huge"):
            with open(os.path.join(d, name), "rb") as f:
                put("formats", target + "_" + name, f.read())
put("formats", "utf16.txt", b"\xff\xfe" + small.encode("utf-16-le"))
put("formats", "own_report.csv", "\ufeffКонтрагент;ИНН;Долг всего;Не просрочено\r\n")
put("formats", "empty", b"")
put("formats", "xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)

# ---- amounts ---------------------------------------------------------------------------
amounts = ["1000", "22.9", "316277.35", "0.01", "1 234,56", "1\u00a0234,56", "1\u202f234\u202f567,89",
           "1.234.567,89", "1,234,567.89", "-500,00", " 12 345,6 ", "231.7400", "1.234.567", "",
           "-", "1e5", "12 34,00", "1,234", "1.000", "1234.567", "1.2.3,4,5", "0.500",
           "999999999999999.99", "1000000000000000", "-0,00", "+7", "1'234.50", "\ufeff10"]
for i, a in enumerate(amounts):
    put("amount", "a%02d" % i, a)

# ---- references ------------------------------------------------------------------------
purposes = [
    "Оплата по сч. № 45 от 12.03.24, в т.ч. НДС 20% - 1 666,67 руб.", "Оплата по счету 0045",
    "Оплата по сч.45,46,47", "по счетам №№ 45-47", "Оплата счетов 0045-0047", "сч 45 и 47",
    "по счетам 1-500", "по сч 19-685", "Перевод. Сч. № 30101810145250000974",
    "Оплата по сч. 45 ИНН 7707083893 КПП 770701001 БИК 044525225", "по сч. 00БП-000045",
    "по сч. № УТ-45 от 01.02.2024", "по сч 45 на сумму 1 234 567,89", "Оплата по счету № 2024-01",
    "Оплата № 45 от 12.03.2024 за товар", "счет-фактура № 45 от 12.03.2024", "по счетам-фактурам 45-47",
    "по универсальному передаточному документу № 45", "Invoice No 45", "Оплата по сч. «45» от 12.03.2024",
    "Оплата\tпо\tсч\t45/2", "Оплата по сч.№209 от 11.12.2023г. за товар, в т.ч. НДС 20% 3000.00",
    "Оплата по счету №125 Сумма 15000-00 Без налога (НДС)", "по договору № 7 от 01.01.2024, сч. 12 от 12 марта 2024 г.",
    "Оплата по сч 45 по накладной ТОРГ-12 № 46, акт № 47, УПД 48", "Мерчант №123456 возмещение по реестру",
    "оплата по сч " + "45, " * 80 + "46", "Cч 45 (латинская C)",
]
for i, p in enumerate(purposes):
    put("refs", "p%02d" % i, p)

# ---- the whole pipeline: statement NUL list --------------------------------------------
put("pipeline", "samples", SAMPLE_STATEMENT + b"\0" + SAMPLE_LIST)
put("pipeline", "small", cp1251(small) + b"\0" + cp1251(
    "Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма\r\n45;12.03.2024;20.03.2024;Ромашка;7707083893;20 000,00\r\n"
    "46;13.03.2024;;Ромашка;7707083893;5 000,00\r\n"))
