//! Working and non-working days, for terms that end on a day off.
//!
//! ГК РФ ст. 193: when the last day of a term falls on a non-working day, the term ends
//! on the next working day. An invoice due on Saturday 10.08.2024 is thus due on Monday
//! 12.08.2024 and is not overdue on that Monday.
//!
//! Non-working days are Saturdays, Sundays and the holidays of ТК РФ ст. 112 (1–8 January,
//! 23 February, 8 March, 1 May, 9 May, 12 June, 4 November). A holiday other than 1–8
//! January that falls on a Saturday or Sunday moves its day off to the next working day
//! (ст. 112 ч. 2), and each year the Government moves further days off by decree
//! (ст. 112 ч. 5). Those moves cannot be derived, so the years below are shipped as data,
//! each checked against its decree «О переносе выходных дней в … году»:
//!
//! - 2023: Постановление Правительства РФ от 29.08.2022 № 1505 (1 Jan → 24 Feb,
//!   8 Jan → 8 May); 247 working days.
//! - 2024: Постановление Правительства РФ от 10.08.2023 № 1314 (6 Jan → 10 May,
//!   7 Jan → 31 Dec, 27 Apr → 29 Apr, 2 Nov → 30 Apr, 28 Dec → 30 Dec); 248 working days.
//! - 2025: Постановление Правительства РФ от 04.10.2024 № 1335 (4 Jan → 2 May,
//!   5 Jan → 31 Dec, 23 Feb → 8 May, 8 Mar → 13 Jun, 1 Nov → 3 Nov); 247 working days.
//! - 2026: Постановление Правительства РФ от 24.09.2025 № 1466 (3 Jan → 9 Jan,
//!   4 Jan → 31 Dec); 247 working days.
//!
//! Other years follow the fixed rules only (weekends, ст. 112 holidays, ст. 112 ч. 2), and
//! [`Calendar::knows_year`] says so. A user's file adds years not shipped yet and regional
//! holidays on top ([`Calendar::russia_with`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};

/// Working and non-working days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// Days that differ from the base rule of their year: `true` for a working day.
    /// Shipped data, then the user's file on top.
    days: BTreeMap<NaiveDate, bool>,
    /// Years whose base rule is the plain week (every deviation is in `days`); other years
    /// start from the fixed rules of ТК РФ ст. 112.
    data_years: BTreeSet<i32>,
    /// Years with data: shipped or named in the user's file.
    known_years: BTreeSet<i32>,
    /// The longest run of consecutive non-working days possible: bounds every search.
    max_run: u32,
}

/// A line of a calendar file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CalendarError {
    pub line: u32,
    pub message: String,
}

/// One year of the production calendar (производственный календарь), as its decree has it.
struct YearData {
    year: i32,
    /// Monday to Friday days that are days off: holidays and moved days off (month, day).
    off: &'static [(u32, u32)],
    /// Saturdays and Sundays that are working days (month, day).
    working: &'static [(u32, u32)],
}

/// The shipped years. When adding a year, add its working-day count to the tests.
const SHIPPED: &[YearData] = &[
    // Постановление Правительства РФ от 29.08.2022 № 1505.
    YearData {
        year: 2023,
        off: &[
            (1, 2),
            (1, 3),
            (1, 4),
            (1, 5),
            (1, 6),
            (2, 23),
            (2, 24),
            (3, 8),
            (5, 1),
            (5, 8),
            (5, 9),
            (6, 12),
            (11, 6),
        ],
        working: &[],
    },
    // Постановление Правительства РФ от 10.08.2023 № 1314.
    YearData {
        year: 2024,
        off: &[
            (1, 1),
            (1, 2),
            (1, 3),
            (1, 4),
            (1, 5),
            (1, 8),
            (2, 23),
            (3, 8),
            (4, 29),
            (4, 30),
            (5, 1),
            (5, 9),
            (5, 10),
            (6, 12),
            (11, 4),
            (12, 30),
            (12, 31),
        ],
        working: &[(4, 27), (11, 2), (12, 28)],
    },
    // Постановление Правительства РФ от 04.10.2024 № 1335.
    YearData {
        year: 2025,
        off: &[
            (1, 1),
            (1, 2),
            (1, 3),
            (1, 6),
            (1, 7),
            (1, 8),
            (5, 1),
            (5, 2),
            (5, 8),
            (5, 9),
            (6, 12),
            (6, 13),
            (11, 3),
            (11, 4),
            (12, 31),
        ],
        working: &[(11, 1)],
    },
    // Постановление Правительства РФ от 24.09.2025 № 1466.
    YearData {
        year: 2026,
        off: &[
            (1, 1),
            (1, 2),
            (1, 5),
            (1, 6),
            (1, 7),
            (1, 8),
            (1, 9),
            (2, 23),
            (3, 9),
            (5, 1),
            (5, 11),
            (6, 12),
            (11, 4),
            (12, 31),
        ],
        working: &[],
    },
];

/// ТК РФ ст. 112 holidays other than 1–8 January: their day off moves when they fall on a
/// weekend (ч. 2). In date order, which the transfer search relies on.
const MOVABLE_HOLIDAYS: [(u32, u32); 6] = [(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)];

/// The longest run of non-working days the fixed rules and the shipped data produce is 12
/// (31.12.2025–11.01.2026); each day off given as data can join two runs, so a search
/// stops after (days off given + 1) × this many days.
const RUN_PER_OVERRIDE: u32 = 16;

/// The words of a day off in a user's file (compared in lower case).
const OFF_WORDS: [&str; 7] = [
    "нерабочий",
    "выходной",
    "праздник",
    "holiday",
    "off",
    "nonworking",
    "non-working",
];

/// The words of a working day in a user's file (compared in lower case).
const WORKING_WORDS: [&str; 3] = ["рабочий", "working", "work"];

impl Calendar {
    /// The Russian production calendar (производственный календарь) for the years shipped
    /// as data (2023, 2024, 2025, 2026); other years follow the fixed rules of ТК РФ ст. 112
    /// (weekends, the holidays, a weekend holiday other than 1–8 January moving its day off
    /// to the next working day).
    pub fn russia() -> Calendar {
        let mut days = BTreeMap::new();
        let mut data_years = BTreeSet::new();
        for year in SHIPPED {
            data_years.insert(year.year);
            let entries = year
                .off
                .iter()
                .map(|&md| (md, false))
                .chain(year.working.iter().map(|&md| (md, true)));
            for ((month, day), working) in entries {
                if let Some(date) = NaiveDate::from_ymd_opt(year.year, month, day) {
                    days.insert(date, working);
                }
            }
        }
        Calendar {
            days,
            known_years: data_years.clone(),
            data_years,
            max_run: RUN_PER_OVERRIDE,
        }
        .with_bound()
    }

    /// The Russian calendar with the days of a user's file on top (for a year not shipped
    /// yet, or a regional holiday). A day in the file replaces what the Russian calendar
    /// says of it; a year with at least one day in the file counts as known.
    ///
    /// The file is UTF-8 text (a BOM allowed), one day per line: a date (`dd.mm.yyyy` or
    /// `yyyy-mm-dd`) and a kind separated by `;`, a tab, `,` or spaces. Kinds, in any case:
    /// `нерабочий`, `выходной`, `праздник`, `holiday`, `off`, `nonworking`, `non-working`
    /// for a day off; `рабочий`, `working`, `work` for a working day. `#` starts a comment;
    /// blank lines and a first line whose first cell is `Дата` or `Date` are skipped.
    ///
    /// Returns every line that cannot be read, and every date given twice with different
    /// kinds.
    pub fn russia_with(text: &str) -> Result<Calendar, Vec<CalendarError>> {
        let days = parse_file(text)?;
        let mut calendar = Calendar::russia();
        for (date, (_, working)) in days {
            calendar.known_years.insert(date.year());
            calendar.days.insert(date, working);
        }
        Ok(calendar.with_bound())
    }

    /// True for a working day.
    pub fn is_working(&self, d: NaiveDate) -> bool {
        if let Some(&working) = self.days.get(&d) {
            return working;
        }
        if is_weekend(d) {
            return false;
        }
        self.data_years.contains(&d.year()) || !fixed_day_off(d)
    }

    /// `d` itself when it is a working day, else the next working day (ГК РФ ст. 193).
    /// Saturates at [`NaiveDate::MAX`].
    pub fn next_working(&self, d: NaiveDate) -> NaiveDate {
        let mut day = d;
        for _ in 0..=self.max_run {
            if self.is_working(day) {
                return day;
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => return day,
            }
        }
        day
    }

    /// `d` moved forward by `n` working days (n = 0: `next_working(d)`). The days are
    /// counted from the day after `d` (ГК РФ ст. 191), so 5 working days from Saturday end
    /// on Friday. Saturates at [`NaiveDate::MAX`].
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> NaiveDate {
        // Each working day takes at least one calendar day.
        let room = NaiveDate::MAX.signed_duration_since(d).num_days();
        if i64::from(n) > room {
            return NaiveDate::MAX;
        }
        let mut day = d;
        for _ in 0..n {
            match day.succ_opt() {
                Some(next) => day = self.next_working(next),
                None => return NaiveDate::MAX,
            }
        }
        if n == 0 { self.next_working(d) } else { day }
    }

    /// True when the year's days come from data (shipped or the user's file), false when
    /// only the fixed rules apply.
    pub fn knows_year(&self, year: i32) -> bool {
        self.known_years.contains(&year)
    }

    /// Sets `max_run` from the days off given as data (shipped and the user's).
    fn with_bound(mut self) -> Calendar {
        let extra_off = self.days.values().filter(|working| !**working).count();
        let extra_off = u32::try_from(extra_off).unwrap_or(u32::MAX);
        self.max_run = extra_off.saturating_add(1).saturating_mul(RUN_PER_OVERRIDE);
        self
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// A holiday of ТК РФ ст. 112.
fn is_holiday(d: NaiveDate) -> bool {
    let md = (d.month(), d.day());
    (md.0 == 1 && md.1 <= 8) || MOVABLE_HOLIDAYS.contains(&md)
}

/// True when a Monday-to-Friday `d` is a day off by the fixed rules: a holiday, or the
/// day a weekend holiday's day off moves to (ст. 112 ч. 2).
fn fixed_day_off(d: NaiveDate) -> bool {
    if is_holiday(d) {
        return true;
    }
    let year = d.year();
    let mut taken: Option<NaiveDate> = None;
    for (month, day) in MOVABLE_HOLIDAYS {
        let Some(holiday) = NaiveDate::from_ymd_opt(year, month, day) else {
            continue;
        };
        if !is_weekend(holiday) {
            continue;
        }
        // The next day that is neither a weekend, a holiday nor already taken by the
        // previous transfer; a few days at most, the holidays being far apart.
        let mut moved = holiday;
        for _ in 0..7 {
            let Some(next) = moved.succ_opt() else {
                break;
            };
            moved = next;
            if !is_weekend(moved) && !is_holiday(moved) && taken != Some(moved) {
                break;
            }
        }
        if moved == d {
            return true;
        }
        taken = Some(moved);
    }
    false
}

/// The days of a user's file: date → (line, working).
fn parse_file(text: &str) -> Result<BTreeMap<NaiveDate, (u32, bool)>, Vec<CalendarError>> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut days: BTreeMap<NaiveDate, (u32, bool)> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut first = true;
    for (index, raw) in text.lines().enumerate() {
        let line = u32::try_from(index).map_or(u32::MAX, |i| i.saturating_add(1));
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let cells: Vec<&str> = content
            .split([';', '\t', ',', ' ', '\u{00A0}'])
            .filter(|cell| !cell.is_empty())
            .collect();
        let is_first = std::mem::replace(&mut first, false);
        if is_first
            && cells
                .first()
                .is_some_and(|cell| matches!(cell.to_lowercase().as_str(), "дата" | "date"))
        {
            continue;
        }
        let mut error = |message: String| errors.push(CalendarError { line, message });
        let [date_cell, kind_cell] = cells[..] else {
            error(format!(
                "expected a date and a kind (`31.12.2027;нерабочий`), found `{content}`"
            ));
            continue;
        };
        let date = crate::dates::parse_date(date_cell);
        let working = parse_kind(kind_cell);
        let (Some(date), Some(working)) = (date, working) else {
            if date.is_none() {
                error(format!(
                    "`{date_cell}` is not a date (dd.mm.yyyy or yyyy-mm-dd)"
                ));
            }
            if working.is_none() {
                error(format!(
                    "`{kind_cell}` is not a kind of day (нерабочий, выходной, праздник, \
                     holiday, off, nonworking, non-working; рабочий, working, work)"
                ));
            }
            continue;
        };
        match days.get(&date) {
            Some(&(earlier, was_working)) if was_working != working => error(format!(
                "{} is {} here but {} on line {earlier}",
                date.format("%d.%m.%Y"),
                kind_name(working),
                kind_name(was_working),
            )),
            Some(_) => {}
            None => {
                days.insert(date, (line, working));
            }
        }
    }
    if errors.is_empty() {
        Ok(days)
    } else {
        Err(errors)
    }
}

/// `Some(true)` for a working day, `Some(false)` for a day off.
fn parse_kind(cell: &str) -> Option<bool> {
    let kind = cell.to_lowercase();
    if OFF_WORDS.contains(&kind.as_str()) {
        Some(false)
    } else if WORKING_WORDS.contains(&kind.as_str()) {
        Some(true)
    } else {
        None
    }
}

fn kind_name(working: bool) -> &'static str {
    if working {
        "a working day"
    } else {
        "a day off"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn days_of(year: i32) -> impl Iterator<Item = NaiveDate> {
        d(year, 1, 1)
            .iter_days()
            .take_while(move |day| day.year() == year)
    }

    fn working_days(calendar: &Calendar, year: i32) -> usize {
        days_of(year)
            .filter(|&day| calendar.is_working(day))
            .count()
    }

    /// The fixed rules alone: a calendar with no data at all.
    fn fixed_only() -> Calendar {
        Calendar {
            days: BTreeMap::new(),
            data_years: BTreeSet::new(),
            known_years: BTreeSet::new(),
            max_run: RUN_PER_OVERRIDE,
        }
    }

    #[test]
    fn working_days_per_shipped_year() {
        let ru = Calendar::russia();
        assert_eq!(working_days(&ru, 2023), 247);
        assert_eq!(working_days(&ru, 2024), 248);
        assert_eq!(working_days(&ru, 2025), 247);
        assert_eq!(working_days(&ru, 2026), 247);
        assert_eq!(SHIPPED.len(), 4, "a new year needs its count above");
    }

    #[test]
    fn shipped_data_is_well_formed() {
        for year in SHIPPED {
            for &(m, day) in year.off {
                let date = NaiveDate::from_ymd_opt(year.year, m, day).unwrap();
                assert!(!is_weekend(date), "{date}: a day off listed on a weekend");
            }
            for &(m, day) in year.working {
                let date = NaiveDate::from_ymd_opt(year.year, m, day).unwrap();
                assert!(
                    is_weekend(date),
                    "{date}: a working day listed on a weekday"
                );
            }
        }
    }

    /// Every shipped day that differs from the fixed rules is one the decree names: a day
    /// off moved to, a Saturday made working, or the automatic ч. 2 transfer the decree
    /// replaced. Guards the data against typos the yearly counts cannot see.
    #[test]
    fn shipped_data_differs_from_fixed_rules_only_by_the_decrees() {
        let ru = Calendar::russia();
        let fixed = fixed_only();
        // (month, day, working in the shipped data) per year.
        type Diffs = &'static [(u32, u32, bool)];
        let expected: &[(i32, Diffs)] = &[
            (2023, &[(2, 24, false), (5, 8, false)]),
            (
                2024,
                &[
                    (4, 27, true),
                    (4, 29, false),
                    (4, 30, false),
                    (5, 10, false),
                    (11, 2, true),
                    (12, 28, true),
                    (12, 30, false),
                    (12, 31, false),
                ],
            ),
            (
                2025,
                &[
                    // 23 Feb and 8 Mar fell on a weekend; the decree moved their days off
                    // to 8 May and 13 Jun instead of 24 Feb and 10 Mar.
                    (2, 24, true),
                    (3, 10, true),
                    (5, 2, false),
                    (5, 8, false),
                    (6, 13, false),
                    (11, 1, true),
                    (11, 3, false),
                    (12, 31, false),
                ],
            ),
            (2026, &[(1, 9, false), (12, 31, false)]),
        ];
        for &(year, diffs) in expected {
            let actual: Vec<(u32, u32, bool)> = days_of(year)
                .filter(|&day| ru.is_working(day) != fixed.is_working(day))
                .map(|day| (day.month(), day.day(), ru.is_working(day)))
                .collect();
            assert_eq!(actual, diffs, "{year}");
        }
    }

    #[test]
    fn the_cases_of_the_brief() {
        let ru = Calendar::russia();
        assert_eq!(ru.next_working(d(2024, 8, 10)), d(2024, 8, 12));
        assert_eq!(ru.next_working(d(2024, 12, 30)), d(2025, 1, 9));
        assert!(ru.is_working(d(2024, 11, 2)));
        assert!(!ru.is_working(d(2024, 12, 31)));
        assert!(ru.is_working(d(2024, 4, 27)));
    }

    #[test]
    fn moved_days_of_2025_and_2026() {
        let ru = Calendar::russia();
        assert!(ru.is_working(d(2025, 2, 24)));
        assert!(ru.is_working(d(2025, 3, 10)));
        assert!(!ru.is_working(d(2025, 5, 8)));
        assert!(!ru.is_working(d(2025, 6, 13)));
        assert!(ru.is_working(d(2025, 11, 1)));
        assert!(!ru.is_working(d(2025, 11, 3)));
        assert!(!ru.is_working(d(2026, 1, 9)));
        assert_eq!(ru.next_working(d(2025, 12, 31)), d(2026, 1, 12));
        assert!(!ru.is_working(d(2026, 3, 9)));
        assert!(!ru.is_working(d(2026, 5, 11)));
    }

    #[test]
    fn a_working_day_is_its_own_next_working_day() {
        let ru = Calendar::russia();
        assert_eq!(ru.next_working(d(2024, 8, 12)), d(2024, 8, 12));
        assert_eq!(ru.next_working(d(2024, 11, 2)), d(2024, 11, 2));
    }

    #[test]
    fn adding_working_days() {
        let ru = Calendar::russia();
        // n = 0 is next_working.
        assert_eq!(ru.add_working_days(d(2024, 8, 10), 0), d(2024, 8, 12));
        assert_eq!(ru.add_working_days(d(2024, 8, 12), 0), d(2024, 8, 12));
        // Counted from the next day: 5 working days from Saturday end on Friday.
        assert_eq!(ru.add_working_days(d(2024, 8, 10), 5), d(2024, 8, 16));
        assert_eq!(ru.add_working_days(d(2024, 8, 9), 1), d(2024, 8, 12));
        // Across the 2024/2025 new-year days off.
        assert_eq!(ru.add_working_days(d(2024, 12, 27), 1), d(2024, 12, 28));
        assert_eq!(ru.add_working_days(d(2024, 12, 28), 1), d(2025, 1, 9));
        assert_eq!(ru.add_working_days(d(2024, 12, 28), 2), d(2025, 1, 10));
        // A whole year.
        assert_eq!(ru.add_working_days(d(2024, 12, 31), 247), d(2025, 12, 30));
    }

    #[test]
    fn fixed_rules_for_years_without_data() {
        let ru = Calendar::russia();
        assert!(!ru.knows_year(2027));
        assert!(!ru.knows_year(2022));
        assert!(ru.knows_year(2023) && ru.knows_year(2026));
        // 2027: 1–8 January are days off, their weekend days do not move.
        assert!(!ru.is_working(d(2027, 1, 1)));
        assert!(!ru.is_working(d(2027, 1, 8)));
        assert!(ru.is_working(d(2027, 1, 11)));
        // 1 May 2027 is a Saturday, 9 May a Sunday, 12 June a Saturday: moved to Mondays.
        assert!(!ru.is_working(d(2027, 5, 3)));
        assert!(ru.is_working(d(2027, 5, 4)));
        assert!(!ru.is_working(d(2027, 5, 10)));
        assert!(!ru.is_working(d(2027, 6, 14)));
        // 23 February 2027 is a Tuesday, 8 March a Monday, 4 November a Thursday.
        assert!(!ru.is_working(d(2027, 2, 23)));
        assert!(!ru.is_working(d(2027, 3, 8)));
        assert!(!ru.is_working(d(2027, 11, 4)));
        assert!(ru.is_working(d(2027, 11, 5)));
        // An ordinary week.
        assert!(ru.is_working(d(2027, 8, 10)));
        assert!(!ru.is_working(d(2027, 8, 14)));
        assert!(!ru.is_working(d(2027, 8, 15)));
        // 2028: 4 November is a Saturday, moved to Monday 6 November.
        assert!(!ru.is_working(d(2028, 11, 6)));
        assert!(ru.is_working(d(2028, 11, 7)));
    }

    #[test]
    fn extreme_dates_do_not_panic() {
        let ru = Calendar::russia();
        for date in [NaiveDate::MIN, NaiveDate::MAX] {
            let _ = ru.is_working(date);
            let _ = ru.knows_year(date.year());
            assert!(ru.next_working(date) >= date);
            assert!(ru.add_working_days(date, 3) >= date);
        }
        assert_eq!(ru.next_working(NaiveDate::MAX), NaiveDate::MAX);
        assert_eq!(ru.add_working_days(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert_eq!(
            ru.add_working_days(NaiveDate::MIN, u32::MAX),
            NaiveDate::MAX
        );
        let near_end = NaiveDate::MAX - chrono::Days::new(10);
        assert_eq!(ru.add_working_days(near_end, 30), NaiveDate::MAX);
        assert!(ru.add_working_days(near_end, 3) > near_end);
        // A file that makes every day near the end a day off.
        let mut text = String::new();
        for day in (NaiveDate::MAX - chrono::Days::new(5)).iter_days() {
            text.push_str(&format!("{};off\n", day.format("%Y-%m-%d")));
        }
        // parse_date does not read such years: every line is an error, nothing panics.
        assert!(Calendar::russia_with(&text).is_err());
    }

    #[test]
    fn a_file_adds_a_year_and_a_regional_holiday() {
        let text = "\u{FEFF}Дата;Вид\n\
                    # 2027, not shipped yet\n\
                    \n\
                    31.12.2027;нерабочий\n\
                    2027-04-24\tworking   # a Saturday made working\n\
                    03.05.2027, рабочий\n\
                    2024-09-02   Праздник\n\
                    2028-01-10 HOLIDAY\n";
        let cal = Calendar::russia_with(text).unwrap();
        assert!(!cal.is_working(d(2027, 12, 31)));
        assert!(cal.is_working(d(2027, 4, 24)));
        assert!(cal.is_working(d(2027, 5, 3)));
        // Untouched days of 2027 keep the fixed rules.
        assert!(!cal.is_working(d(2027, 5, 10)));
        assert!(!cal.is_working(d(2027, 1, 4)));
        assert!(cal.is_working(d(2027, 12, 30)));
        // A regional holiday in a shipped year.
        assert!(!cal.is_working(d(2024, 9, 2)));
        assert_eq!(cal.next_working(d(2024, 8, 31)), d(2024, 9, 3));
        assert!(!cal.is_working(d(2028, 1, 10)));
        assert!(cal.knows_year(2027) && cal.knows_year(2028) && cal.knows_year(2024));
        assert!(!cal.knows_year(2029));
        // The Russian data is still there.
        assert!(cal.is_working(d(2024, 11, 2)));
        assert_eq!(working_days(&cal, 2025), 247);
    }

    #[test]
    fn every_kind_word_in_any_case() {
        for word in OFF_WORDS {
            for form in [word.to_string(), word.to_uppercase()] {
                let cal = Calendar::russia_with(&format!("05.08.2027;{form}")).unwrap();
                assert!(!cal.is_working(d(2027, 8, 5)), "{form}");
            }
        }
        for word in WORKING_WORDS {
            for form in [word.to_string(), word.to_uppercase()] {
                let cal = Calendar::russia_with(&format!("07.08.2027;{form}")).unwrap();
                assert!(cal.is_working(d(2027, 8, 7)), "{form}");
            }
        }
        let cal = Calendar::russia_with("07.08.2027;Рабочий\r\n").unwrap();
        assert!(cal.is_working(d(2027, 8, 7)));
    }

    #[test]
    fn an_empty_file_is_the_russian_calendar() {
        assert_eq!(Calendar::russia_with(""), Ok(Calendar::russia()));
        assert_eq!(
            Calendar::russia_with("\u{FEFF}# nothing\n\n   \nDate,Kind\n"),
            Ok(Calendar::russia())
        );
        assert!(!Calendar::russia_with("# nothing").unwrap().knows_year(2027));
    }

    #[test]
    fn a_date_twice_with_the_same_kind_is_fine() {
        let cal = Calendar::russia_with("31.12.2027;off\n2027-12-31;выходной\n").unwrap();
        assert!(!cal.is_working(d(2027, 12, 31)));
    }

    #[test]
    fn every_bad_line_is_reported() {
        let text = "Date;Kind\n\
                    31.12.2027;нерабочий\n\
                    32.12.2027;нерабочий\n\
                    31.12.2027\n\
                    31.12.2027;sometimes\n\
                    nonsense;maybe\n\
                    01.01.2028;off;extra\n\
                    Дата;Вид\n\
                    2027-12-31 working\n";
        let errors = Calendar::russia_with(text).unwrap_err();
        let lines: Vec<u32> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 6, 7, 8, 8, 9]);
        assert!(errors[0].message.contains("`32.12.2027` is not a date"));
        assert!(errors[1].message.contains("expected a date and a kind"));
        assert!(errors[2].message.contains("`sometimes` is not a kind"));
        assert!(errors[3].message.contains("`nonsense` is not a date"));
        assert!(errors[4].message.contains("`maybe` is not a kind"));
        assert!(errors[5].message.contains("expected a date and a kind"));
        // A header is only allowed first.
        assert!(errors[6].message.contains("`Дата` is not a date"));
        assert!(errors[7].message.contains("`Вид` is not a kind"));
        assert_eq!(
            errors[8].to_string(),
            "line 9: 31.12.2027 is a working day here but a day off on line 2"
        );
    }
}
