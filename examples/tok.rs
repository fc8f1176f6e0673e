use kbulk::formats::csv::{CsvRecord, PhpCsvReader};
fn main() {
    let p = std::env::args().nth(1).unwrap();
    let t = std::time::Instant::now();
    let f = std::fs::File::open(&p).unwrap();
    let mut r = PhpCsvReader::new(f, 0, 1 << 24);
    let mut rec = CsvRecord::default();
    let mut n = 0u64;
    while r.read_record(&mut rec).unwrap() {
        n += rec.cells.len() as u64;
    }
    let t1 = t.elapsed();
    let t = std::time::Instant::now();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(&p)
        .unwrap();
    let mut b = csv::ByteRecord::new();
    let mut m = 0u64;
    while rdr.read_byte_record(&mut b).unwrap() {
        m += b.len() as u64;
    }
    println!(
        "php tokenizer {:?} ({n} cells), csv crate {:?} ({m} cells)",
        t1,
        t.elapsed()
    );
}
