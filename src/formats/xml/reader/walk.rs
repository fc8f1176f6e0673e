//! The XSD walk: start-tag attributes with their places, each child checked against its
//! parent's model (order, cardinality, unknown elements) and each attribute against the model.
use super::*;

/// The attributes of a start tag with the places of their values.
pub(super) fn attributes<'a>(e: &'a BytesStart, tag: Mark, st: &mut State) -> Vec<AttrValue<'a>> {
    let content: &str = e;
    let mut out = Vec::new();
    for a in e.attributes() {
        let a = match a {
            Ok(a) => a,
            Err(err) => {
                let p = tag.place(1 + content.len() as u64);
                st.diags.push(
                    Diagnostic::new(
                        &codes::MALFORMED,
                        st.file,
                        format!("this tag's attributes are not well-formed: {err}"),
                    )
                    .label(p.span, p.at, "in this tag")
                    .server("Could not load xml [{jobId}], ..."),
                );
                break;
            }
        };
        let rel = match &a.value {
            Cow::Borrowed(v) => (v.as_ptr() as usize).wrapping_sub(content.as_ptr() as usize),
            Cow::Owned(_) => 0,
        }
        .min(content.len());
        let at = tag.advance(b"<").advance(&content.as_bytes()[..rel]);
        let place = at.place(a.value.len() as u64);
        let value = match a.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
            Ok(v) => v,
            Err(err) => {
                st.diags.push(
                    Diagnostic::new(
                        &codes::UNDEFINED_ENTITY,
                        st.file,
                        format!("attribute `{}`: {err}", a.key.as_ref()),
                    )
                    .label(place.span, place.at, "undefined entity")
                    .server("Could not load xml [{jobId}], ...")
                    .help("escape a literal ampersand as &amp;"),
                );
                a.value.clone()
            }
        };
        let name: &str = a.key.into_inner();
        let key_rel = (name.as_ptr() as usize)
            .wrapping_sub(content.as_ptr() as usize)
            .min(content.len());
        let name_place = tag
            .advance(b"<")
            .advance(&content.as_bytes()[..key_rel])
            .place(name.len() as u64);
        out.push(AttrValue {
            name,
            value,
            place,
            name_place,
        });
    }
    out
}

impl State<'_, '_> {
    /// Validates `name` as the next child of the open element and returns its model.
    pub(super) fn child_model(&mut self, name: &str, p: Place) -> Option<&'static Model> {
        let file = self.file;
        let Some(parent) = self.stack.last_mut() else {
            return (name == "mrss").then_some(&schema::MRSS);
        };
        let pm = parent.model?;
        if matches!(pm.text, Text::Any) {
            return None;
        }
        if parent.text_only() || pm.slots.is_empty() {
            self.diags.push(
                Diagnostic::new(
                    &codes::UNKNOWN_ELEMENT,
                    file,
                    format!("<{}> holds no elements, but <{name}> is inside it", pm.name),
                )
                .label(p.span, p.at, "unexpected element")
                .server("Validate files failed on job [{jobId}], ..."),
            );
            return None;
        }
        let Some((j, m)) = pm.find(name, parent.slot) else {
            if let Some((_, m)) = pm.find(name, 0) {
                let (before, bp) = parent.last_child.unwrap_or((pm.name, parent.start));
                self.diags.push(
                    Diagnostic::new(
                        &codes::OUT_OF_ORDER,
                        file,
                        format!("<{name}> must come before <{before}> in <{}>", pm.name),
                    )
                    .label(p.span, p.at, "out of order")
                    .label(bp.span, bp.at, format!("<{before}> is here"))
                    .server("Validate files failed on job [{jobId}], ...")
                    .help("kbulk convert --to xml writes the elements in the schema's order"),
                );
                return Some(m);
            }
            let (code, msg, help) = if name == "customData" && pm.name == "item" {
                (&codes::CUSTOM_DATA_OUTSIDE_ITEMS, "<customData> directly inside <item>: the bulk schema only accepts it inside <customDataItems>".to_string(), "wrap it: <customDataItems><customData ...>...</customData></customDataItems>".to_string())
            } else {
                let expected: Vec<String> = pm.slots[parent.slot.min(pm.slots.len() - 1)..]
                    .iter()
                    .map(|s| s.names())
                    .collect();
                let near = pm
                    .slots
                    .iter()
                    .flat_map(|s| s.children.iter())
                    .find(|c| c.name.eq_ignore_ascii_case(name));
                let help = match near {
                    Some(c) => format!(
                        "did you mean <{}>? Element names are case-sensitive",
                        c.name
                    ),
                    None => format!("allowed here: {}", expected.join(", ")),
                };
                (
                    &codes::UNKNOWN_ELEMENT,
                    format!("<{name}> is not an element of <{}>", pm.name),
                    help,
                )
            };
            if !name.eq_ignore_ascii_case("script") {
                self.diags.push(
                    Diagnostic::new(code, file, msg)
                        .label(p.span, p.at, "unknown element")
                        .server("Validate files failed on job [{jobId}], ...")
                        .help(help),
                );
            }
            return None;
        };
        if j > parent.slot || parent.count == 0 && j == parent.slot {
            let from = parent.slot;
            for (k, s) in pm.slots.iter().enumerate().take(j).skip(from) {
                let have = if k == from { parent.count } else { 0 };
                if have < s.min && !s.identity {
                    self.diags.push(
                        Diagnostic::new(
                            &codes::MISSING_ELEMENT,
                            file,
                            format!("{} is required in <{}> before <{name}>", s.names(), pm.name),
                        )
                        .label(p.span, p.at, "expected before this")
                        .server("Validate files failed on job [{jobId}], ..."),
                    );
                }
            }
            parent.slot = j;
            parent.count = 0;
            parent.slot_name = None;
        }
        let s = &pm.slots[j];
        parent.count += 1;
        if s.identity {
            match name {
                "licenseType" if parent.ident_type_open => {}
                "licenseType" => self.diags.push(
                    Diagnostic::new(
                        &codes::OUT_OF_ORDER,
                        file,
                        "<licenseType> must come right after <type>",
                    )
                    .label(p.span, p.at, "out of order")
                    .server("Validate files failed on job [{jobId}], ..."),
                ),
                _ => parent.ident_occurrences += 1,
            }
            parent.ident_type_open = name == "type";
            if parent.ident_occurrences > s.max {
                self.diags.push(
                    Diagnostic::new(&codes::TOO_MANY, file, format!("<item> takes at most two of <type>, <entryId>, <referenceId>, <parentReferenceId>; <{name}> is one too many"))
                        .label(p.span, p.at, "too many")
                        .server("Validate files failed on job [{jobId}], ..."),
                );
            }
        } else {
            if parent.count > s.max {
                let times = if s.max == 1 {
                    "once".to_string()
                } else {
                    format!("{} times", s.max)
                };
                self.diags.push(
                    Diagnostic::new(
                        &codes::TOO_MANY,
                        file,
                        format!("{} may appear only {times} in <{}>", s.names(), pm.name),
                    )
                    .label(p.span, p.at, "one too many")
                    .server("Validate files failed on job [{jobId}], ..."),
                );
            }
            if s.same_name {
                match parent.slot_name {
                    Some(first) if first != m.name => self.diags.push(
                        Diagnostic::new(
                            &codes::TOO_MANY,
                            file,
                            format!("<{}> cannot mix <{first}> and <{}>", pm.name, m.name),
                        )
                        .label(p.span, p.at, "mixed")
                        .server("Validate files failed on job [{jobId}], ...")
                        .help("list categories either by full name or by id"),
                    ),
                    _ => parent.slot_name = Some(m.name),
                }
            }
        }
        parent.last_child = Some((m.name, p));
        Some(m)
    }

    pub(super) fn check_attrs(
        &mut self,
        m: &'static Model,
        attrs: &[AttrValue<'_>],
        name_place: Place,
    ) {
        for a in attrs {
            if schema::is_global_attr(a.name) {
                continue;
            }
            match m.attr(a.name) {
                None => self.diags.push(
                    Diagnostic::new(
                        &codes::UNKNOWN_ATTRIBUTE,
                        self.file,
                        format!("<{}> has no attribute `{}`", m.name, a.name),
                    )
                    .label(a.name_place.span, a.name_place.at, "unknown attribute")
                    .server("Validate files failed on job [{jobId}], ...")
                    .help(if m.attrs.is_empty() {
                        "this element takes no attributes".to_string()
                    } else {
                        format!(
                            "known attributes: {}",
                            m.attrs
                                .iter()
                                .map(|a| a.name)
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }),
                ),
                Some(spec) => {
                    if find_placeholder(&a.value).is_none() {
                        self.value_rule(spec.text, &a.value, a.place, a.name, false);
                    }
                }
            }
        }
        for spec in m.attrs.iter().filter(|s| s.required) {
            if !attrs.iter().any(|a| a.name == spec.name) {
                self.diags.push(
                    Diagnostic::new(
                        &codes::MISSING_ATTRIBUTE,
                        self.file,
                        format!("<{}> needs the attribute `{}`", m.name, spec.name),
                    )
                    .label(name_place.span, name_place.at, "missing attribute")
                    .server("Validate files failed on job [{jobId}], ..."),
                );
            }
        }
    }
}
