//! Micro-benchmarks of the readers: the 1CClientBankExchange statement reader, the
//! delimited list reader and the payment-purpose reference parser.
//!
//! Run with `cargo bench --bench readers` (add `-- clientbank` to run only the
//! benchmarks whose name contains "clientbank"). No benchmark framework: the data is
//! generated here by a small seeded generator (the same bytes on every run), each
//! benchmark is run once to warm up, then timed with `std::time::Instant` until it
//! has run `MIN_RUNS` times and for at least `MIN_TIME` (at most `MAX_RUNS` times);
//! the median run is printed with its throughput.

use chrono::{Days, NaiveDate};
use std::hint::black_box;
use std::time::{Duration, Instant};
use sverka::formats::{clientbank, delimited};
use sverka::matching::refs;

const MIN_RUNS: usize = 5;
const MAX_RUNS: usize = 200;
const MIN_TIME: Duration = Duration::from_millis(1000);
/// Statement documents generated for the clientbank benchmark (about 12 MiB).
const STATEMENT_DOCUMENTS: usize = 12_000;
/// Rows of the invoice list (about 11 MiB).
const LIST_ROWS: usize = 100_000;
/// Purposes per kind for the reference parser.
const PURPOSES: usize = 20_000;
/// Length of each purpose, in characters.
const PURPOSE_CHARS: usize = 200;
const MIB: f64 = 1024.0 * 1024.0;

// ---------------------------------------------------------------------------
// A small deterministic generator
// ---------------------------------------------------------------------------

/// SplitMix64: tiny, fast and good enough to vary test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next() as usize % items.len()]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + (self.next() % 10) as u8))
            .collect()
    }
}

fn check_digit(digits: &str, weights: &[u32]) -> char {
    let sum: u32 = digits
        .bytes()
        .zip(weights)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    char::from(b'0' + (sum % 11 % 10) as u8)
}

/// A company INN with a valid check digit.
fn inn10(rng: &mut Rng) -> String {
    let mut s = format!("{}{}", rng.range(1, 9), rng.digits(8));
    s.push(check_digit(&s, &[2, 4, 10, 3, 5, 9, 4, 6, 8]));
    s
}

/// A 20-digit account with the Bank of Russia control key for `bik`.
fn account(rng: &mut Rng, bik: &str, head: &str) -> String {
    let tail = rng.digits(11);
    for key in '0'..='9' {
        let acc = format!("{head}{key}{tail}");
        let sum: u32 = bik[6..]
            .bytes()
            .chain(acc.bytes())
            .enumerate()
            .map(|(i, d)| u32::from(d - b'0') * [7, 1, 3][i % 3])
            .sum();
        if sum.is_multiple_of(10) {
            return acc;
        }
    }
    unreachable!("the key digit has weight 1 or 3, so one of ten fits")
}

/// Kopecks as "1234.56".
fn dot(kop: u64) -> String {
    format!("{}.{:02}", kop / 100, kop % 100)
}

/// Kopecks as "1 234,56".
fn ru(kop: u64) -> String {
    let whole = (kop / 100).to_string();
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    format!("{out},{:02}", kop % 100)
}

fn amount(rng: &mut Rng) -> u64 {
    let rub = match rng.range(0, 9) {
        0..=5 => rng.range(500, 100_000),
        6..=8 => rng.range(100_000, 1_000_000),
        _ => rng.range(1_000_000, 9_000_000),
    };
    rub * 100 + if rng.chance(60) { rng.range(0, 99) } else { 0 }
}

fn vat(rng: &mut Rng, kop: u64) -> String {
    let v = (kop * 20 + 60) / 120;
    match rng.range(0, 3) {
        0 => format!("в т.ч. НДС (20%) {}", ru(v).replace(',', ".")),
        1 => format!("в т.ч. НДС 20% - {} руб.", ru(v)),
        2 => format!(
            "Сумма {}-{:02} в т.ч. НДС(20%) {}",
            kop / 100,
            kop % 100,
            dot(v)
        ),
        _ => "НДС не облагается".to_string(),
    }
}

/// The kinds of purposes the reference parser is timed on.
#[derive(Clone, Copy)]
enum Kind {
    /// "Оплата по счету № 45 от 12.03.2024 …, в т.ч. НДС …"
    Single,
    /// "сч.45,46,47", "счетам №№ 45-47", "сч 45 и 47"
    List,
    /// "по счёту 00БП-000045", "сч.N45", "счет 0045"
    Prefixed,
    /// "по договору № 12/2024 … за март": a contract, no invoice
    Contract,
    /// Acquiring payout: "Мерчант №…", no invoice
    Acquiring,
    /// Bank details in the text: "р/с 40702810…", ИНН, КПП, БИК, no invoice
    Accounts,
}

const KINDS: [(Kind, &str); 6] = [
    (Kind::Single, "single"),
    (Kind::List, "list"),
    (Kind::Prefixed, "prefixed"),
    (Kind::Contract, "contract"),
    (Kind::Acquiring, "acquiring"),
    (Kind::Accounts, "accounts"),
];

/// Text added to a purpose to reach `PURPOSE_CHARS`: words only, so cutting it
/// anywhere leaves no half number.
const FILLER: &str = " за поставку товара согласно спецификации к договору, отгрузка со склада \
                      поставщика, доставка силами покупателя, претензий по качеству нет";

fn purpose(rng: &mut Rng, kind: Kind, date: NaiveDate) -> String {
    let n = rng.range(1, 99_999);
    let kop = amount(rng);
    let d4 = date.format("%d.%m.%Y");
    let d2 = date.format("%d.%m.%y");
    let mut s = match kind {
        Kind::Single => match rng.range(0, 2) {
            0 => format!("Оплата по счету № {n} от {d4} за товар, {}", vat(rng, kop)),
            1 => format!("Оплата по сч. {n} от {d2}, {}", vat(rng, kop)),
            _ => format!(
                "Предоплата по счету №{n} от {d4} за поставку, {}",
                vat(rng, kop)
            ),
        },
        Kind::List => match rng.range(0, 2) {
            0 => format!("Оплата по сч.{n},{},{} {}", n + 1, n + 2, vat(rng, kop)),
            1 => format!(
                "Оплата по счетам №№ {n}-{} от {d4} {}",
                n + 2,
                vat(rng, kop)
            ),
            _ => format!("Оплата по сч {n} и {} от {d2}, {}", n + 5, vat(rng, kop)),
        },
        Kind::Prefixed => match rng.range(0, 2) {
            0 => format!("Оплата по счёту 00БП-{n:06} от {d4}г. {}", vat(rng, kop)),
            1 => format!("Оплата по сч.N{n} за товары. {}", vat(rng, kop)),
            _ => format!("Оплата по счету {n:06} {}", vat(rng, kop)),
        },
        Kind::Contract => format!(
            "Оплата по договору № {}/{} от {d4} за {}. {}",
            rng.range(1, 300),
            date.format("%Y"),
            rng.pick(&["январь", "март", "июнь", "октябрь"]),
            vat(rng, kop)
        ),
        Kind::Acquiring => format!(
            "Зачисление средств по операциям эквайринга. Мерчант №{}. Дата реестра {d4}. \
             Комиссия {}. НДС не облагается",
            rng.range(100_000, 999_999),
            dot(kop / 50)
        ),
        Kind::Accounts => format!(
            "Оплата за товар. Получатель ИНН {} КПП {}01001 р/с 40702810{} БИК 044525225 \
             к/с 30101810400000000225. {}",
            inn10(rng),
            rng.digits(4),
            rng.digits(12),
            vat(rng, kop)
        ),
    };
    while s.chars().count() < PURPOSE_CHARS {
        s.push_str(FILLER);
    }
    s.chars().take(PURPOSE_CHARS).collect()
}

struct Party {
    name: String,
    inn: String,
    kpp: String,
    account: String,
    bank: (&'static str, &'static str, &'static str),
}

const BANKS: [(&str, &str, &str); 3] = [
    ("ПАО СБЕРБАНК", "044525225", "30101810400000000225"),
    ("АО \"АЛЬФА-БАНК\"", "044525593", "30101810200000000593"),
    ("БАНК ВТБ (ПАО)", "044525187", "30101810700000000187"),
];
const WORDS: [&str; 8] = [
    "Ромашка",
    "Вектор",
    "Гранит",
    "Меридиан",
    "Кедр",
    "Полюс",
    "Альянс",
    "Ресурс",
];

fn party(rng: &mut Rng) -> Party {
    let bank = *rng.pick(&BANKS);
    let inn = inn10(rng);
    Party {
        name: format!(
            "{} \"{} {}\"",
            rng.pick(&["ООО", "АО", "ПАО"]),
            rng.pick(&WORDS),
            rng.pick(&WORDS)
        ),
        kpp: format!("{}01001", &inn[..4]),
        inn,
        account: account(rng, bank.1, "40702810"),
        bank,
    }
}

fn side(out: &mut String, role: &str, p: &Party) {
    let (bank, bik, corr) = p.bank;
    out.push_str(&format!(
        "{role}={role_inn} {name}\r\n{role}ИНН={inn}\r\n{role}КПП={kpp}\r\n{role}1={name}\r\n\
         {role}РасчСчет={acc}\r\n{role}Банк1={bank}\r\n{role}Банк2=г. Москва\r\n\
         {role}БИК={bik}\r\n{role}Корсчет={corr}\r\n",
        role_inn = format_args!("ИНН {}", p.inn),
        name = p.name,
        inn = p.inn,
        kpp = p.kpp,
        acc = p.account,
    ));
}

fn encode_1251(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(text);
    assert!(
        !unmappable,
        "generated text has characters outside Windows-1251"
    );
    bytes.into_owned()
}

/// A 1CClientBankExchange 1.03 statement of `documents` payment orders, Windows-1251, CRLF.
fn statement(rng: &mut Rng, documents: usize) -> Vec<u8> {
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let us = party(rng);
    let customers: Vec<Party> = (0..500).map(|_| party(rng)).collect();
    let mut body = String::with_capacity(documents * 1500);
    let (mut total_in, mut total_out) = (0u64, 0u64);
    for i in 0..documents {
        let day = start + Days::new((i * 365 / documents) as u64);
        let d = day.format("%d.%m.%Y").to_string();
        let other = rng.pick(&customers);
        let incoming = rng.chance(75);
        let kop = amount(rng);
        let (payer, payee) = if incoming { (other, &us) } else { (&us, other) };
        if incoming {
            total_in += kop;
        } else {
            total_out += kop;
        }
        let kind = KINDS[rng.range(0, KINDS.len() as u64 - 1) as usize].0;
        let invoice_date = day - Days::new(rng.range(0, 30));
        let text = purpose(rng, kind, invoice_date);
        body.push_str(&format!(
            "СекцияДокумент=Платежное поручение\r\nНомер={}\r\nДата={d}\r\nСумма={}\r\n\
             ПлательщикСчет={}\r\nДатаСписано={}\r\n",
            rng.range(1, 99_999),
            dot(kop),
            payer.account,
            if incoming { "" } else { &d },
        ));
        side(&mut body, "Плательщик", payer);
        body.push_str(&format!(
            "ПолучательСчет={}\r\nДатаПоступило={}\r\n",
            payee.account,
            if incoming { d.as_str() } else { "" },
        ));
        side(&mut body, "Получатель", payee);
        body.push_str(&format!(
            "ВидПлатежа=\r\nВидОплаты=01\r\nКод=0\r\nОчередность=5\r\n\
             НазначениеПлатежа={text}\r\nКонецДокумента\r\n"
        ));
    }
    // Opening balance enough for every payment out, so the closing one is not negative.
    let opening = total_out + 100_000_000;
    let closing = opening + total_in - total_out;
    let header = format!(
        "1CClientBankExchange\r\nВерсияФормата=1.03\r\nКодировка=Windows\r\n\
         Отправитель=Бухгалтерия предприятия\r\nПолучатель=\r\nДатаСоздания=31.12.2024\r\n\
         ДатаНачала=01.01.2024\r\nДатаКонца=31.12.2024\r\nРасчСчет={acc}\r\n\
         СекцияРасчСчет\r\nДатаНачала=01.01.2024\r\nДатаКонца=31.12.2024\r\nРасчСчет={acc}\r\n\
         НачальныйОстаток={}\r\nВсегоПоступило={}\r\nВсегоСписано={}\r\nКонечныйОстаток={}\r\n\
         КонецРасчСчет\r\n",
        dot(opening),
        dot(total_in),
        dot(total_out),
        dot(closing),
        acc = us.account,
    );
    encode_1251(&format!("{header}{body}КонецФайла\r\n"))
}

/// An invoice list as 1C users save it: Windows-1251, ';', "1 234,56", CRLF.
fn invoice_list(rng: &mut Rng, rows: usize) -> Vec<u8> {
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let customers: Vec<Party> = (0..500).map(|_| party(rng)).collect();
    let managers = [
        "Иванов И.И.",
        "Петрова А.С.",
        "Сидоров К.П.",
        "Кузнецова Е.В.",
    ];
    let mut text = String::from("Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма;Менеджер;Договор\r\n");
    for i in 0..rows {
        let date = start + Days::new((i * 365 / rows) as u64);
        let due = date + Days::new(*rng.pick(&[5, 10, 14, 30]));
        let c = rng.pick(&customers);
        let number = if rng.chance(10) {
            format!("00БП-{:06}", i + 1)
        } else {
            (i + 1).to_string()
        };
        text.push_str(&format!(
            "{number};{};{};\"{}\";{};{};{};Договор поставки № {}/2024\r\n",
            date.format("%d.%m.%Y"),
            due.format("%d.%m.%Y"),
            c.name.replace('"', "\"\""),
            c.inn,
            ru(amount(rng)),
            rng.pick(&managers),
            rng.range(1, 300),
        ));
    }
    encode_1251(&text)
}

// ---------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------

/// Runs `f` once to warm up, then times it; returns the median run and the run count.
fn time<R>(mut f: impl FnMut() -> R) -> (Duration, usize) {
    black_box(f());
    let mut runs = Vec::new();
    let started = Instant::now();
    while runs.len() < MIN_RUNS || (started.elapsed() < MIN_TIME && runs.len() < MAX_RUNS) {
        let t = Instant::now();
        black_box(f());
        runs.push(t.elapsed());
    }
    runs.sort();
    (runs[runs.len() / 2], runs.len())
}

fn report(name: &str, bytes: usize, items: usize, unit: &str, (median, runs): (Duration, usize)) {
    let secs = median.as_secs_f64();
    println!(
        "{name:<28} {:>7.1} MiB {items:>8} {unit:<10} {:>9.3} ms {:>8.1} MiB/s {:>10.0} {unit}/s  ({runs} runs)",
        bytes as f64 / MIB,
        secs * 1e3,
        bytes as f64 / MIB / secs,
        items as f64 / secs,
    );
}

fn main() {
    // `cargo bench` passes "--bench"; any other argument filters benchmarks by name.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    println!(
        "sverka reader micro-benchmarks: median of at least {MIN_RUNS} runs (and {:.1} s) after one warm-up run",
        MIN_TIME.as_secs_f64()
    );

    if wanted("clientbank::read") {
        let bytes = statement(&mut Rng(1), STATEMENT_DOCUMENTS);
        let read = clientbank::read(&bytes, 0).expect("the generated statement reads");
        assert_eq!(read.documents.len(), STATEMENT_DOCUMENTS, "documents read");
        assert!(
            read.warnings.is_empty(),
            "warnings: {:?}",
            &read.warnings[..1]
        );
        let t = time(|| clientbank::read(&bytes, 0).map(|r| r.documents.len()));
        report(
            "clientbank::read",
            bytes.len(),
            STATEMENT_DOCUMENTS,
            "documents",
            t,
        );
    }

    if wanted("delimited::read") {
        let bytes = invoice_list(&mut Rng(2), LIST_ROWS);
        let read = delimited::read(&bytes, 0).expect("the generated list reads");
        assert_eq!(read.documents.len(), LIST_ROWS, "rows read");
        assert!(
            read.warnings.is_empty(),
            "warnings: {:?}",
            &read.warnings[..1]
        );
        let t = time(|| delimited::read(&bytes, 0).map(|r| r.documents.len()));
        report("delimited::read", bytes.len(), LIST_ROWS, "rows", t);
    }

    let date = NaiveDate::from_ymd_opt(2024, 3, 12).unwrap();
    let mut all: Vec<String> = Vec::new();
    for (i, (kind, label)) in KINDS.iter().enumerate() {
        let name = format!("refs::extract {label}");
        if !wanted(&name) && !wanted("refs::extract all") {
            continue;
        }
        let mut rng = Rng(100 + i as u64);
        let texts: Vec<String> = (0..PURPOSES)
            .map(|_| purpose(&mut rng, *kind, date))
            .collect();
        if wanted(&name) {
            let bytes: usize = texts.iter().map(String::len).sum();
            let t = time(|| texts.iter().map(|s| refs::extract(s).len()).sum::<usize>());
            report(&name, bytes, texts.len(), "purposes", t);
        }
        all.extend(texts);
    }
    if wanted("refs::extract all") && !all.is_empty() {
        let bytes: usize = all.iter().map(String::len).sum();
        let found: usize = all.iter().map(|s| refs::extract(s).len()).sum();
        let t = time(|| all.iter().map(|s| refs::extract(s).len()).sum::<usize>());
        report("refs::extract all kinds", bytes, all.len(), "purposes", t);
        println!("  ({found} references in {} purposes)", all.len());
    }
}
