//! How event rows become API calls: the `scheduleEvent` object (dates as Unix seconds, the
//! recurrence with the API's frequency names) and comma-separated lists.
use serde_json::{Map, Value, json};

use crate::submit::plan::common::put;

use crate::record::ScheduleEvent;
use crate::record::event::TemplateEntryType;
use crate::submit::multirequest::Call;

/// The call creating an event-CSV row's template entry, as Kaltura's event CSV engine makes it:
/// a video `KalturaMediaEntry` (`media.add`) or a `KalturaLiveStreamEntry` (`liveStream.add`,
/// LIVE_STREAM_FLASH, sourceType LIVE_STREAM), named after the event, owned by `contentOwnerId`,
/// with the co-editors, co-publishers and the event's tags.
pub(super) fn template_call(e: &ScheduleEvent, kind: TemplateEntryType) -> Call {
    let mut entry = Map::new();
    let (class, media_type) = match kind {
        TemplateEntryType::Media => ("KalturaMediaEntry", 1),
        TemplateEntryType::Live => ("KalturaLiveStreamEntry", 201),
    };
    entry.insert("objectType".into(), json!(class));
    entry.insert("mediaType".into(), json!(media_type));
    put(
        &mut entry,
        [
            ("name", &e.summary),
            ("tags", &e.tags),
            ("userId", &e.content_owner_id),
            ("creatorId", &e.content_owner_id),
            ("entitledUsersEdit", &e.co_editors),
            ("entitledUsersPublish", &e.co_publishers),
        ],
    );
    match kind {
        TemplateEntryType::Media => Call::new("media", "add").with("entry", Value::Object(entry)),
        TemplateEntryType::Live => Call::new("liveStream", "add")
            .with("liveStreamEntry", Value::Object(entry))
            .with("sourceType", "32"),
    }
}

/// The `scheduleEvent` object a row sends (absent values are not sent).
pub(super) fn event_object(e: &ScheduleEvent, template: Option<Value>) -> Value {
    let mut o = Map::new();
    o.insert("objectType".into(), json!(e.event_type.api_class()));
    let texts = [
        ("referenceId", &e.reference_id),
        ("summary", &e.summary),
        ("description", &e.description),
        ("tags", &e.tags),
        ("location", &e.location),
        ("contact", &e.contact),
        ("comment", &e.comment),
        ("organizer", &e.organizer),
        ("ownerId", &e.owner_id),
        ("templateEntryId", &e.template_entry_id),
        ("entryIds", &e.entry_ids),
        ("categoryIds", &e.category_ids),
    ];
    put(&mut o, texts);
    if let Some(t) = template {
        o.insert("templateEntryId".into(), t);
    }
    put(
        &mut o,
        [
            ("geoLatitude", e.geo_latitude),
            ("geoLongitude", e.geo_longitude),
        ],
    );
    put(&mut o, [("priority", e.priority), ("sequence", e.sequence)]);
    if let Some(c) = e.classification_type {
        o.insert("classificationType".into(), json!(c as u8 + 1));
    }
    if let Some(s) = e.start_date {
        o.insert("startDate".into(), json!(s.unix()));
    }
    let end = e.end_date.map(|t| t.unix()).or_else(|| {
        (!e.is_recurring())
            .then(|| e.start_date?.unix().checked_add(e.duration?))
            .flatten()
    });
    if let Some(end) = end {
        o.insert("endDate".into(), json!(end));
    }
    if let Some(r) = &e.recurrence {
        o.insert("recurrenceType".into(), json!(1));
        if let Some(d) = e.occurrence_seconds() {
            o.insert("duration".into(), json!(d));
        }
        let mut rec = Map::new();
        rec.insert("objectType".into(), json!("KalturaScheduleEventRecurrence"));
        if let Some(f) = r.frequency {
            rec.insert("frequency".into(), json!(f.api_name()));
        }
        if let Some(u) = r.until {
            rec.insert("until".into(), json!(u.unix()));
        }
        if let Some(c) = r.count {
            rec.insert("count".into(), json!(c));
        }
        if let Some(i) = r.interval {
            rec.insert("interval".into(), json!(i));
        }
        let parts = r.api_list_parts();
        put(&mut rec, parts);
        o.insert("recurrence".into(), Value::Object(rec));
    }
    Value::Object(o)
}

/// Comma-separated list items, trimmed, empty ones dropped.
pub(super) fn items(v: &Option<String>) -> Vec<&str> {
    v.as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}
