//! Diagnostic codes for Kaltura's CSV dialect, shared by every CSV kind.
crate::codes! {
    INVALID_UTF8 = "csv::invalid-utf8", Error, Rejected,
        "A cell is not valid UTF-8.",
        "Every cell is tested with mb_detect_encoding; a cell in another encoding (Latin-1, \
Windows-1252, UTF-16) is replaced by `encoding cannot be detected` in the log and the row fails \
with \"value with unknown encoding was passed\". Save the file as UTF-8.";
    BACKSLASH_QUOTE = "csv::backslash-quote", Warning, Silent,
        "A quoted cell contains `\\\"`: PHP does not end the cell at that quote.",
        "The server reads CSV with PHP fgetcsv, whose escape character is the backslash: inside \
quotes, `\\\"` keeps both characters and does not close the cell. A value ending in a backslash \
(`\"C:\\dir\\\"`) swallows its closing quote and the following cells, so the row's columns shift. \
Avoid a backslash directly before a quote, or leave such cells unquoted.";
    UNTERMINATED_QUOTE = "csv::unterminated-quote", Error, Silent,
        "A quoted cell is never closed: it swallows the rest of the file.",
        "An opening quote without its closing quote makes the rest of the file one cell of this \
row: every later row is lost. Close the quote (or double a literal quote as `\"\"`).";
    RECORD_TOO_LONG = "csv::record-too-long", Error, Rejected,
        "A single row is longer than kbulk's limit and was cut.",
        "kbulk reads rows of up to 16 MiB (an unclosed quote is the usual cause of longer ones). The \
row was cut at the limit and the rest of it read as further rows.";
}
