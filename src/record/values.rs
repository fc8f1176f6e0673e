//! How Kaltura's entry engines read single values: the unanchored date pattern, the URL checks
//! (PHP `isUrl` and the XSD's `T_url`), entry-id shapes and `@PLACEHOLDER@`s.
use std::ops::Range;

/// What the server's date pattern finds in a value (kaltura-formats §1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerDate {
    /// Byte range of the `YYYY-MM-DDTHH:MM:SS` the server reads.
    pub matched: Range<usize>,
    /// Text around the match that is ignored and might matter (an offset, fractions, words).
    pub ignored: bool,
    /// The match is not a real date-time: gmmktime rolls it over.
    pub rolls_over: bool,
}

/// Applies the server's unanchored pattern
/// `([1-2][0-9]{3})-([0-1][0-9])-([0-3][0-9])T([0-2][0-9]):([0-5][0-9]):([0-5][0-9])`.
pub fn server_date(v: &str) -> Option<ServerDate> {
    let b = v.as_bytes();
    let at = (0..b.len().saturating_sub(18)).find(|&i| date_at(&b[i..]))?;
    let matched = at..at + 19;
    let before = &v[..at];
    let after = &v[at + 19..];
    let harmless_after = matches!(after, "" | "Z" | "z" | "+00:00" | "-00:00" | "+0000");
    let ignored = !before.trim().is_empty() || !harmless_after;
    let n = |r: Range<usize>| v[r].parse::<i16>().unwrap_or(0);
    let (y, mo, d, h) = (
        n(at..at + 4),
        n(at + 5..at + 7),
        n(at + 8..at + 10),
        n(at + 11..at + 13),
    );
    let rolls_over = h > 23
        || i8::try_from(mo)
            .ok()
            .zip(i8::try_from(d).ok())
            .is_none_or(|(mo, d)| jiff::civil::Date::new(y, mo, d).is_err());
    Some(ServerDate {
        matched,
        ignored,
        rolls_over,
    })
}

fn date_at(b: &[u8]) -> bool {
    const SHAPE: &[u8; 19] = b"1999-19-39T29:59:59";
    if b.len() < 19 {
        return false;
    }
    b[..19].iter().zip(SHAPE).enumerate().all(|(i, (&c, &s))| {
        if s.is_ascii_digit() {
            let lo = if i == 0 { b'1' } else { b'0' };
            let hi = if i == 0 { b'2' } else { s };
            c.is_ascii_digit() && c >= lo && c <= hi
        } else {
            c == s
        }
    })
}

/// The value the server reads from a date cell or element, as `YYYY-MM-DDTHH:MM:SS` (UTC);
/// the value itself when the pattern does not match.
pub fn normalize_date(v: &str) -> &str {
    server_date(v).map_or(v, |d| &v[d.matched])
}

/// True when `v` is a lexically valid `xs:dateTime`.
pub fn xsd_datetime(v: &str) -> bool {
    let b = v.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize, min: usize, max: usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() && *i - s < max {
            *i += 1;
        }
        (*i - s >= min).then(|| v[s..*i].parse::<u32>().unwrap_or(u32::MAX))
    };
    let lit = |i: &mut usize, c: u8| {
        let ok = b.get(*i) == Some(&c);
        *i += usize::from(ok);
        ok
    };
    let ok = (|| {
        digits(&mut i, 4, 9)?;
        lit(&mut i, b'-').then_some(())?;
        let mo = digits(&mut i, 2, 2)?;
        lit(&mut i, b'-').then_some(())?;
        let d = digits(&mut i, 2, 2)?;
        lit(&mut i, b'T').then_some(())?;
        let h = digits(&mut i, 2, 2)?;
        lit(&mut i, b':').then_some(())?;
        let mi = digits(&mut i, 2, 2)?;
        lit(&mut i, b':').then_some(())?;
        let s = digits(&mut i, 2, 2)?;
        if lit(&mut i, b'.') {
            digits(&mut i, 1, usize::MAX)?;
        }
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 24 || mi > 59 || s > 59 {
            return None;
        }
        match b.get(i) {
            None => Some(()),
            Some(b'Z') if i + 1 == b.len() => Some(()),
            Some(b'+' | b'-') => {
                i += 1;
                let zh = digits(&mut i, 2, 2)?;
                lit(&mut i, b':').then_some(())?;
                let zm = digits(&mut i, 2, 2)?;
                (i == b.len() && zh <= 14 && zm <= 59).then_some(())
            }
            _ => None,
        }
    })();
    ok.is_some()
}

/// The entry engines' `isUrl`: spaces, `[` and `]` percent-encoded, every `_` deleted, then
/// PHP `FILTER_VALIDATE_URL` (ASCII only, scheme and host required).
pub fn php_is_url(v: &str) -> bool {
    let prepared: String = v
        .replace(' ', "%20")
        .replace('[', "%5B")
        .replace(']', "%5D")
        .replace('_', "");
    filter_validate_url(&prepared)
}

fn filter_validate_url(v: &str) -> bool {
    // FILTER_VALIDATE_URL refuses anything that FILTER_SANITIZE_URL would remove.
    let allowed =
        |c: u8| c.is_ascii_alphanumeric() || b"$-_.+!*'(),{}|\\^~[]`<>#%\";/?:@&=".contains(&c);
    if v.is_empty() || !v.bytes().all(allowed) {
        return false;
    }
    let Some(colon) = v.find(':') else {
        return false;
    };
    let scheme = &v[..colon];
    let scheme_ok = scheme
        .bytes()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"+-.".contains(&c));
    if !scheme_ok {
        return false;
    }
    let rest = &v[colon + 1..];
    if matches!(
        scheme.to_ascii_lowercase().as_str(),
        "mailto" | "news" | "file"
    ) {
        return !rest.is_empty();
    }
    let Some(after) = rest.strip_prefix("//") else {
        return false;
    };
    let authority = &after[..after.find(['/', '?', '#']).unwrap_or(after.len())];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host_port.starts_with('[') {
        return host_port.contains(']');
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    if host.is_empty() {
        return false;
    }
    if matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        // PHP checks host labels for http(s): alphanumerics and inner hyphens.
        return host.split('.').enumerate().all(|(i, label)| {
            (label.is_empty() && i > 0 && !host.ends_with("..") && host.ends_with('.'))
                || (!label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|c| c.is_ascii_alphanumeric() || c == b'-')
                    && !label.starts_with('-')
                    && !label.ends_with('-'))
        });
    }
    true
}

/// What is wrong with a URL for the XSD's `T_url` pattern, if anything.
pub fn t_url_problem(v: &str) -> Option<String> {
    let lower = v.to_ascii_lowercase();
    let scheme = ["https", "http", "sftp", "ftp", "scp"]
        .into_iter()
        .find(|s| lower.starts_with(&format!("{s}:/")));
    let Some(scheme) = scheme else {
        return Some("it must start with http, https, ftp, sftp or scp followed by `://`".into());
    };
    let rest = &v[scheme.len() + 2..];
    if let Some(c) = rest
        .chars()
        .find(|&c| !c.is_ascii() || c.is_ascii_control() || "\"\\{}|^`".contains(c))
    {
        return Some(format!("`{c}` is not allowed in the schema's URL pattern"));
    }
    None
}

/// The byte range of the first `@NAME@` placeholder in `v` (upper-case letters, digits, `_`).
pub fn find_placeholder(v: &str) -> Option<Range<usize>> {
    let b = v.as_bytes();
    let mut from = 0;
    while let Some(k) = memchr::memchr(b'@', &b[from..]) {
        let s = from + k;
        let mut e = s + 1;
        while e < b.len() && (b[e].is_ascii_uppercase() || b[e].is_ascii_digit() || b[e] == b'_') {
            e += 1;
        }
        if e < b.len() && b[e] == b'@' && e > s + 1 && b[s + 1].is_ascii_uppercase() {
            return Some(s..e + 1);
        }
        from = s + 1;
    }
    None
}

/// True when `v` has the shape of a Kaltura entry id (`0_abcd1234`).
pub fn entry_id_shape(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 10
        && b[0].is_ascii_digit()
        && b[1] == b'_'
        && b[2..]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_date_is_unanchored_and_utc() {
        let d = server_date("2026-05-01T09:00:00").unwrap();
        assert!(!d.ignored && !d.rolls_over);
        assert!(server_date("2026-05-01T09:00:00Z").is_some_and(|d| !d.ignored));
        assert!(server_date("2026-05-01T09:00:00+02:00").is_some_and(|d| d.ignored));
        assert!(server_date("on 2026-05-01T09:00:00").is_some_and(|d| d.ignored));
        assert!(server_date("2026-02-30T00:00:00").is_some_and(|d| d.rolls_over));
        assert!(server_date("3026-05-01T09:00:00").is_none());
        assert!(server_date("2026-05-01").is_none());
        assert_eq!(
            normalize_date("x 2026-05-01T09:00:00+02:00"),
            "2026-05-01T09:00:00"
        );
    }

    #[test]
    fn xsd_datetime_lexical_space() {
        for ok in [
            "2026-05-01T09:00:00",
            "2026-05-01T09:00:00.5Z",
            "3026-05-01T09:00:00+02:00",
        ] {
            assert!(xsd_datetime(ok), "{ok}");
        }
        for bad in [
            "2026-05-01",
            "2026-5-01T09:00:00",
            "2026-05-01 09:00:00",
            "x",
        ] {
            assert!(!xsd_datetime(bad), "{bad}");
        }
    }

    #[test]
    fn php_url_rules() {
        assert!(php_is_url("http://example.com/a b[1].mp4"));
        assert!(php_is_url("https://my_host.example.com/x"));
        assert!(php_is_url("sftp://user@host/path"));
        assert!(!php_is_url(""));
        assert!(!php_is_url("example.com/a.mp4"));
        assert!(!php_is_url("http://exämple.com/a.mp4"));
        assert!(!php_is_url("http:///a.mp4"));
        assert!(!php_is_url("@ENTRY1_URL@"));
    }

    #[test]
    fn t_url_pattern() {
        assert!(t_url_problem("http://example.com/a b.mp4").is_none());
        assert!(t_url_problem("HTTPS://x/y").is_none());
        assert!(t_url_problem("file:///etc/passwd").is_some());
        assert!(t_url_problem("http://x/{a}").is_some());
        assert!(t_url_problem("http://x/é").is_some());
    }

    #[test]
    fn placeholders_and_ids() {
        assert_eq!(find_placeholder("@ENTRY1_URL@"), Some(0..12));
        assert_eq!(find_placeholder("x @A@ y"), Some(2..5));
        assert_eq!(find_placeholder("me@example.com"), None);
        assert_eq!(find_placeholder("@@"), None);
        assert!(entry_id_shape("0_abcd1234"));
        assert!(!entry_id_shape("0_ABCD1234"));
        assert!(!entry_id_shape("movie-1"));
    }
}
