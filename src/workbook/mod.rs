//! Reading the input: for now CSV only (`;` or `,`); the calamine-based reader of .xlsx/.xls/.ods replaces it.
use std::fmt;
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateSystem {
    Excel1900,
    Excel1904,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalendarDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}
impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Text(String),
    Number(f64),
    Bool(bool),
    Date(CalendarDate),
    DateTime(CalendarDate, u32),
    Error(String),
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextNote {
    Trimmed,
    NonBreakingSpace,
    Normalized,
    IllegalXmlChar(char),
}
#[derive(Debug, Clone)]
pub struct Cell {
    pub column: u32,
    pub value: CellValue,
    pub notes: Vec<TextNote>,
}
#[derive(Debug, Clone)]
pub struct Row {
    pub number: u32,
    pub cells: Vec<Cell>,
}
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Row>,
}
#[derive(Debug, Clone)]
pub struct Workbook {
    pub date_system: DateSystem,
    pub sheets: Vec<Sheet>,
}
impl Workbook {
    pub fn sheet(&self, name: &str) -> Option<&Sheet> {
        let n = crate::dictionary::normalize_header(name);
        self.sheets
            .iter()
            .find(|s| crate::dictionary::normalize_header(&s.name) == n)
    }
}
#[derive(Debug)]
pub struct WorkbookError(pub String);
impl fmt::Display for WorkbookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
pub fn read_workbook(bytes: &[u8], _name: &str) -> Result<Workbook, WorkbookError> {
    let text = std::str::from_utf8(bytes).map_err(|_| WorkbookError("pas utf8".into()))?;
    let sep = if text.lines().next().unwrap_or("").contains(';') {
        ';'
    } else {
        ','
    };
    let rows = text
        .lines()
        .enumerate()
        .map(|(i, l)| Row {
            number: i as u32 + 1,
            cells: l
                .split(sep)
                .enumerate()
                .filter(|(_, v)| !v.is_empty())
                .map(|(c, v)| Cell {
                    column: c as u32,
                    value: CellValue::Text(v.to_string()),
                    notes: vec![],
                })
                .collect(),
        })
        .filter(|r: &Row| !r.cells.is_empty())
        .collect();
    Ok(Workbook {
        date_system: DateSystem::Excel1900,
        sheets: vec![Sheet {
            name: "Passages".into(),
            rows,
        }],
    })
}
pub fn column_letters(mut c: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push((b'A' + (c % 26) as u8) as char);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.iter().rev().collect()
}
pub fn cell_reference(sheet: &str, column: u32, row: u32) -> String {
    format!("{sheet}!{}{row}", column_letters(column))
}
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}
pub fn parse_text_date(s: &str) -> Option<CalendarDate> {
    let p: Vec<&str> = s.split(['/', '-', '.']).collect();
    if p.len() != 3 {
        return None;
    }
    let (y, m, d) = if p[0].len() == 4 {
        (p[0], p[1], p[2])
    } else {
        (p[2], p[1], p[0])
    };
    let (year, month, day) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > crate::xsd::builtin::days_in_month(year as i64, month)
    {
        return None;
    }
    Some(CalendarDate { year, month, day })
}
pub fn serial_to_date(serial: f64, _s: DateSystem) -> Option<(CalendarDate, u32)> {
    let days = serial.floor() as i64 - 25569;
    let (year, month, day) = crate::convert::ids::civil_from_days(days);
    Some((CalendarDate { year, month, day }, 0))
}
