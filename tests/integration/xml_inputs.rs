//! XML exports among the other inputs: CommerceML invoices beside statements and lists,
//! each document counted once (S42-S45), deleted documents (S48), corrections in a newer
//! export (S49), and hostile XML refused with a clear error.

use crate::support::*;

/// One `Счет на оплату` document of CommerceML 2.08.
#[derive(Clone)]
struct CmlInvoice {
    id: &'static str,
    number: &'static str,
    date: &'static str,
    due: &'static str,
    amount: &'static str,
    inn: &'static str,
    name: &'static str,
    deleted: bool,
}

impl CmlInvoice {
    fn new(
        number: &'static str,
        date: &'static str,
        due: &'static str,
        amount: &'static str,
    ) -> CmlInvoice {
        CmlInvoice {
            id: number,
            number,
            date,
            due,
            amount,
            inn: VEKTOR,
            name: "ООО \"Вектор\"",
            deleted: false,
        }
    }
}

/// A CommerceML 2.08 export (Windows-1251, as 1C writes it) made at `made`.
fn cml(made: &str, docs: &[CmlInvoice]) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n<КоммерческаяИнформация xmlns=\"urn:1C.ru:commerceml_2\" \
         ВерсияСхемы=\"2.08\" ДатаФормирования=\"{made}\">\n"
    );
    for d in docs {
        s.push_str(&format!(
            "  <Документ>\n    <Ид>{}</Ид>\n    <Номер>{}</Номер>\n    <Дата>{}</Дата>\n    <ХозОперация>Счет на оплату</ХозОперация>\n    \
             <Роль>Продавец</Роль>\n    <Валюта>643</Валюта>\n    <Курс>1</Курс>\n    <Сумма>{}</Сумма>\n    <Контрагенты>\n      \
             <Контрагент>\n        <Ид>{OUR_INN}</Ид>\n        <ОфициальноеНаименование>ООО \"Северный ветер\"</ОфициальноеНаименование>\n        \
             <ИНН>{OUR_INN}</ИНН>\n        <Роль>Продавец</Роль>\n      </Контрагент>\n      <Контрагент>\n        <Ид>{}</Ид>\n        \
             <ОфициальноеНаименование>{}</ОфициальноеНаименование>\n        <ИНН>{}</ИНН>\n        <Роль>Покупатель</Роль>\n      \
             </Контрагент>\n    </Контрагенты>\n    <СрокПлатежа>{}</СрокПлатежа>\n    <ПометкаУдаления>{}</ПометкаУдаления>\n  </Документ>\n",
            d.id,
            d.number,
            d.date,
            d.amount,
            d.inn,
            d.name.replace('"', "&quot;"),
            d.inn,
            d.due,
            d.deleted
        ));
    }
    s.push_str("</КоммерческаяИнформация>\n");
    s
}

fn report_of(f: &Fixture) -> serde_json::Value {
    f.report_json("2024-03-31", &[])
}

/// A folder with a statement, CommerceML invoices, the same invoices in a 1C list and the
/// statement's payment in a receipts list gives the register of the documents given once.
#[test]
fn a_folder_of_overlapping_exports_counts_every_document_once() {
    let docs = [
        CmlInvoice::new("45", "2024-03-01", "2024-03-10", "10000.00"),
        CmlInvoice::new("46", "2024-03-02", "2024-03-20", "15500.50"),
    ];
    let pay = Pay::from(VEKTOR, "17", "05.03.2024", "10000.00", "Оплата по счету 45");
    // Once: the statement and the CommerceML invoices.
    let once = Fixture::new();
    once.cp1251("kl_to_1c.txt", &statement(std::slice::from_ref(&pay)));
    once.cp1251("invoices.xml", &cml("2024-03-31T10:00:00", &docs));
    // Overlapping: the same, twice over and in other formats.
    let all = Fixture::new();
    all.cp1251("bank/kl_to_1c.txt", &statement(std::slice::from_ref(&pay)));
    all.cp1251(
        "bank/kl_to_1c_again.txt",
        &statement(std::slice::from_ref(&pay)),
    );
    all.cp1251("1c/invoices.xml", &cml("2024-03-31T10:00:00", &docs));
    all.cp1251("1c/invoice_45.xml", &cml("2024-03-31T10:00:00", &docs[..1]));
    all.cp1251(
        "1c/invoices.csv",
        &invoices(&[
            ("45", "01.03.2024", "10.03.2024", VEKTOR, "10 000,00"),
            ("46", "02.03.2024", "20.03.2024", VEKTOR, "15 500,50"),
        ]),
    );
    all.utf8(
        "1c/receipts.csv",
        &format!("Вид документа;Номер;Дата;Контрагент;ИНН;Сумма\nПоступление;0000-000017;05.03.2024;Вектор;{VEKTOR};10 000,00\n"),
    );
    let (a, b) = (report_of(&once), report_of(&all));
    assert_eq!(row(&a, VEKTOR)["outstanding"], "15500.50");
    assert_eq!(row(&a, VEKTOR)["paid"], "10000.00");
    assert_eq!(a["rows"], b["rows"], "once:\n{a:#}\nall:\n{b:#}");
    assert_eq!(a["totals"], b["totals"]);
}

/// S42/S43 with XML: the same CommerceML file twice, and two exports sharing an invoice.
#[test]
fn s42_s43_the_same_xml_invoice_in_two_files_counts_once() {
    let f = Fixture::new();
    let a = CmlInvoice::new("45", "2024-03-01", "2024-03-10", "10000.00");
    let b = CmlInvoice::new("46", "2024-03-02", "2024-03-20", "5000.00");
    f.cp1251(
        "march_1.xml",
        &cml("2024-03-15T10:00:00", std::slice::from_ref(&a)),
    );
    f.cp1251(
        "march_1_copy.xml",
        &cml("2024-03-15T10:00:00", std::slice::from_ref(&a)),
    );
    f.cp1251("march_2.xml", &cml("2024-03-31T10:00:00", &[a, b]));
    let r = report_of(&f);
    assert_eq!(row(&r, VEKTOR)["invoiced"], "15000.00");
    assert_eq!(
        row(&r, VEKTOR)["invoices"].as_array().map(Vec::len),
        Some(2)
    );
}

/// S44/S45 with XML: same amount and date but another number, and the same number from
/// two customers: all are kept.
#[test]
fn s44_s45_xml_twins_are_kept() {
    let f = Fixture::new();
    let mut other = CmlInvoice::new("45", "2024-03-01", "2024-03-10", "10000.00");
    other.inn = ROMASHKA;
    other.name = "ООО \"Ромашка\"";
    other.id = "r45";
    f.cp1251(
        "invoices.xml",
        &cml(
            "2024-03-31T10:00:00",
            &[
                CmlInvoice::new("45", "2024-03-01", "2024-03-10", "10000.00"),
                CmlInvoice::new("47", "2024-03-01", "2024-03-10", "10000.00"),
                other,
            ],
        ),
    );
    let r = report_of(&f);
    assert_eq!(row(&r, VEKTOR)["invoiced"], "20000.00");
    assert_eq!(row(&r, ROMASHKA)["invoiced"], "10000.00");
}

/// S48: a newer export marks an invoice for deletion: it leaves the register, and the
/// payment that named it becomes an advance with a note saying why.
#[test]
fn s48_a_deleted_invoice_leaves_the_register_and_its_payment_becomes_an_advance() {
    let f = Fixture::new();
    let live = CmlInvoice::new("45", "2024-03-01", "2024-03-10", "10000.00");
    let mut deleted = live.clone();
    deleted.deleted = true;
    f.cp1251("old.xml", &cml("2024-03-10T10:00:00", &[live]));
    f.cp1251("new.xml", &cml("2024-03-31T10:00:00", &[deleted]));
    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[Pay::from(
            VEKTOR,
            "17",
            "05.03.2024",
            "10000.00",
            "Оплата по счету 45",
        )]),
    );
    let r = report_of(&f);
    let row = row(&r, VEKTOR);
    assert_eq!(row["invoiced"], "0.00");
    assert_eq!(row["advance"], "10000.00");
    let m = f.match_json("2024-03-31", &[]);
    let codes: Vec<&str> = m["payments"][0]["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter_map(|n| n["code"].as_str())
        .collect();
    assert_eq!(codes, vec!["removed_invoice"], "{m:#}");
}

/// S49 with XML: the export made later wins, whatever the file names say.
#[test]
fn s49_the_later_xml_export_wins_by_its_own_date() {
    let f = Fixture::new();
    f.cp1251(
        "b_old.xml",
        &cml(
            "2024-03-10T10:00:00",
            &[CmlInvoice::new(
                "70",
                "2024-03-01",
                "2024-03-10",
                "30000.00",
            )],
        ),
    );
    f.cp1251(
        "a_new.xml",
        &cml(
            "2024-03-20T10:00:00",
            &[CmlInvoice::new(
                "70",
                "2024-03-01",
                "2024-03-10",
                "28000.00",
            )],
        ),
    );
    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[Pay::from(
            VEKTOR,
            "5",
            "05.03.2024",
            "30000.00",
            "Оплата по счету 70",
        )]),
    );
    let out = sverka()
        .args(["report", "--as-of", "2024-03-31", "--format", "json"])
        .arg(f.path())
        .output()
        .expect("run");
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("a_new.xml:") && err.contains("later copy"),
        "{err}"
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(row(&r, VEKTOR)["invoiced"], "28000.00");
    assert_eq!(row(&r, VEKTOR)["advance"], "2000.00");
}

/// Both encodings and both CommerceML generations: a UTF-8 3.1 container with an order and
/// its payment linked by `Основание` reads like the Windows-1251 2.08 invoice.
#[test]
fn commerceml_3_1_containers_link_payments_to_their_orders() {
    let f = Fixture::new();
    let doc = format!(
        "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<КоммерческаяИнформация xmlns=\"urn:1C.ru:commerceml_3\" ВерсияСхемы=\"3.1\" ДатаФормирования=\"2024-03-31T10:00:00\">\n\
         <Контейнер>\n<Документ><Ид>ord-1</Ид><Номер>501</Номер><Дата>2024-03-01</Дата><ХозОперация>Заказ товара</ХозОперация><Роль>Продавец</Роль>\
         <Валюта>RUB</Валюта><Сумма>12000.00</Сумма><Контрагенты><Контрагент><Ид>c1</Ид><Наименование>Вектор</Наименование><ИНН>{VEKTOR}</ИНН>\
         <Роль>Покупатель</Роль></Контрагент></Контрагенты><СрокПлатежа>2024-03-05</СрокПлатежа></Документ>\n\
         <Документ><Ид>pay-1</Ид><Номер>77</Номер><Дата>2024-03-04</Дата><ХозОперация>Выплата безналичных денег</ХозОперация><Роль>Продавец</Роль>\
         <Валюта>RUB</Валюта><Сумма>12000.00</Сумма><Основание>ord-1</Основание></Документ>\n</Контейнер>\n</КоммерческаяИнформация>\n"
    );
    f.utf8("documents.xml", &doc);
    let r = report_of(&f);
    assert!(find_row(&r, VEKTOR).is_none(), "the order is paid: {r:#}");
    let m = f.match_json("2024-03-31", &[]);
    assert_eq!(m["payments"][0]["allocations"][0]["invoice"], "501");
    assert_eq!(m["payments"][0]["allocations"][0]["rule"], "link");
}

/// Hostile XML named on the command line is refused with the line, and never expanded.
#[test]
fn hostile_xml_is_refused_with_its_line() {
    let f = Fixture::new();
    let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE КоммерческаяИнформация [\n <!ENTITY a \"aaaaaaaaaa\">\n <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n]>\n\
                <КоммерческаяИнформация>\n<Документ><Номер>&b;</Номер></Документ>\n</КоммерческаяИнформация>\n";
    let path = f.utf8("bomb.xml", bomb);
    let out = sverka()
        .args(["report", "--as-of", "2024-03-31"])
        .arg(&path)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bomb.xml:7") && err.contains("&b;") && err.contains("does not expand"),
        "{err}"
    );
    let deep = format!(
        "<КоммерческаяИнформация>{}{}</КоммерческаяИнформация>",
        "<a>".repeat(200),
        "</a>".repeat(200)
    );
    let path = f.utf8("deep.xml", &deep);
    let out = sverka()
        .args(["inspect", "--format", "json"])
        .arg(&path)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("deeper than"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let broken = f.utf8(
        "broken.xml",
        "<КоммерческаяИнформация>\n<Документ>\n</КоммерческаяИнформация>\n",
    );
    let out = sverka()
        .args(["inspect", "--format", "json"])
        .arg(&broken)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("broken.xml:3") && err.contains("column"),
        "{err}"
    );
}
