//! Text and values: text nodes, entity references, the XSD value rules and placeholders of
//! each element or attribute value.
use super::*;

impl State<'_, '_> {
    /// Checks the value of element `<name>` (or of attribute `name` when not `element`).
    pub(super) fn value_rule(&mut self, text: Text, v: &str, p: Place, name: &str, element: bool) {
        let checked = schema::check_text(text, v);
        if checked.is_ok() {
            return;
        }
        let what = if element {
            format!("<{name}>")
        } else {
            format!("attribute `{name}`")
        };
        let (code, msg) = match checked {
            Ok(()) => return,
            Err(TextError::TooLong { len, max }) => (
                &codes::TOO_LONG,
                format!("{what} has {len} characters; the schema allows at most {max}"),
            ),
            Err(TextError::Invalid(expected)) => (
                &codes::INVALID_VALUE,
                format!("{what}: `{v}` is not {expected}"),
            ),
            Err(TextError::NotIn(values)) => (
                &codes::INVALID_VALUE,
                format!("{what}: `{v}` is not one of {}", values.join(", ")),
            ),
        };
        let mut d = Diagnostic::new(code, self.file, msg)
            .label(p.span, p.at, "invalid value")
            .server("Validate files failed on job [{jobId}], ...");
        if let Err(TextError::NotIn(values)) = schema::check_text(text, v)
            && let Some(good) = values.iter().find(|x| x.eq_ignore_ascii_case(v.trim()))
        {
            d = d.help(format!(
                "did you mean `{good}`? Values are case-sensitive and spaces count"
            ));
        }
        self.diags.push(d);
    }

    pub(super) fn placeholder(&mut self, v: &str, p: Place) {
        if let Some(r) = find_placeholder(v) {
            self.diags.push(
                Diagnostic::new(
                    &entry_codes::PLACEHOLDER,
                    self.file,
                    format!("`{}` is a placeholder that was never substituted", &v[r]),
                )
                .label(p.span, p.at, "placeholder")
                .row(self.items)
                .help("replace every @NAME@ placeholder with its value before upload"),
            );
        }
    }

    /// True when text is kept verbatim: inside a capture or a text-only element. Elsewhere
    /// only non-blank text matters (it is a finding).
    pub(super) fn wants_text(&self) -> bool {
        self.capture.is_some() || self.stack.last().is_some_and(Frame::text_only)
    }

    pub(super) fn text(&mut self, content: &str, raw: &str, mark: Mark, end: Mark) {
        if let Some(c) = &mut self.capture {
            push_capped(c, &[if raw.is_empty() { content } else { raw }]);
            return;
        }
        let file = self.file;
        let Some(f) = self.stack.last_mut() else {
            return;
        };
        if f.text_only() {
            if f.text_start.is_none() {
                self.text.clear();
            }
            if self.text.len() + content.len() <= MAX_ITEM_BYTES {
                self.text.push_str(content);
            }
            f.text_start.get_or_insert(mark);
            f.text_end = end.pos;
        } else if f.model.is_some_and(|m| m.text == Text::Elements)
            && !f.text_reported
            && !content.bytes().all(|b| b.is_ascii_whitespace())
        {
            f.text_reported = true;
            let lead = content.len() - content.trim_start().len();
            let at = mark.advance(&content.as_bytes()[..lead]);
            let p = at.place(content.trim().len() as u64);
            self.diags.push(
                Diagnostic::new(
                    &codes::UNEXPECTED_TEXT,
                    file,
                    format!(
                        "<{}> holds only elements, but has text `{}`",
                        f.name(),
                        shorten(content.trim())
                    ),
                )
                .label(p.span, p.at, "text here")
                .server("Validate files failed on job [{jobId}], ..."),
            );
        }
    }

    pub(super) fn reference(&mut self, r: &quick_xml::events::BytesRef, mark: Mark, end: Mark) {
        let name: &str = r;
        if let Some(c) = &mut self.capture {
            push_capped(c, &["&", name, ";"]);
            return;
        }
        let resolved = if r.is_char_ref() {
            r.resolve_char_ref().ok().flatten()
        } else {
            match name {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "apos" => Some('\''),
                "quot" => Some('"'),
                _ => None,
            }
        };
        match resolved {
            Some(ch) => {
                let mut s = [0u8; 4];
                self.text(ch.encode_utf8(&mut s), "", mark, end);
            }
            None => {
                if self.entities.len() < MAX_ENTITY_NAMES && self.entities.insert(name.to_string())
                {
                    let p = mark.to(end.pos);
                    let why = if self.doctype {
                        "kbulk does not expand entities a DOCTYPE declares"
                    } else {
                        "it is not defined"
                    };
                    self.diags.push(
                        Diagnostic::new(
                            &codes::UNDEFINED_ENTITY,
                            self.file,
                            format!("entity `&{name};` is not expanded: {why}"),
                        )
                        .label(p.span, p.at, "entity reference")
                        .server("Could not load xml [{jobId}], ...")
                        .help("write the text itself, or escape a literal ampersand as &amp;"),
                    );
                }
            }
        }
    }
}

pub(super) fn shorten(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
