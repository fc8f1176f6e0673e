//! Schedule events (recordings, live streams, blackouts) as iCal files and schedule-event CSVs
//! describe them. Field names are the Kaltura API's (`KalturaScheduleEvent`), camelCase.
use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Occurrences the server generates at most for one series (readers that expand a series and
/// the checks share it).
pub const MAX_OCCURRENCES: u16 = 1000;

/// What a record asks the server to do with the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum EventAction {
    /// Add the event, or update the event whose `referenceId` matches (iCal only).
    #[default]
    Add,
    /// Cancel the event (`METHOD:CANCEL` inside a VEVENT; iCal only).
    Cancel,
}

/// The Kaltura event class (`KalturaScheduleEventType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum EventType {
    /// 1: a recording (`KalturaRecordScheduleEvent`).
    #[default]
    Record,
    /// 2: a live stream (`KalturaLiveStreamScheduleEvent`).
    LiveStream,
    /// 3: a blackout (`KalturaBlackoutScheduleEvent`; iCal jobs only).
    Blackout,
    /// 4: a meeting (`KalturaMeetingScheduleEvent`; undocumented in the event CSV).
    Meeting,
    /// 5: a live redirect (`KalturaLiveRedirectScheduleEvent`; undocumented in the event CSV).
    LiveRedirect,
    /// 6: a VOD event (exported only).
    Vod,
}

impl EventType {
    /// The API's integer code.
    pub fn code(self) -> u8 {
        match self {
            EventType::Record => 1,
            EventType::LiveStream => 2,
            EventType::Blackout => 3,
            EventType::Meeting => 4,
            EventType::LiveRedirect => 5,
            EventType::Vod => 6,
        }
    }

    /// The type for an integer code.
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            1 => EventType::Record,
            2 => EventType::LiveStream,
            3 => EventType::Blackout,
            4 => EventType::Meeting,
            5 => EventType::LiveRedirect,
            6 => EventType::Vod,
            _ => return None,
        })
    }

    /// The API class name, as the server's messages spell it.
    pub fn api_class(self) -> &'static str {
        match self {
            EventType::Record => "KalturaRecordScheduleEvent",
            EventType::LiveStream => "KalturaLiveStreamScheduleEvent",
            EventType::Blackout => "KalturaBlackoutScheduleEvent",
            EventType::Meeting => "KalturaMeetingScheduleEvent",
            EventType::LiveRedirect => "KalturaLiveRedirectScheduleEvent",
            EventType::Vod => "KalturaVodScheduleEvent",
        }
    }

    /// Longest single occurrence the API allows, in seconds (`max_single_schedule_event_duration`).
    pub fn max_single_duration(self) -> i64 {
        match self {
            EventType::Meeting => 3 * 86_400,
            EventType::LiveRedirect => 5 * 365 * 86_400,
            _ => 86_400,
        }
    }

    /// True for the types that carry entry links (template entry, entry ids, categories).
    pub fn links_entries(self) -> bool {
        matches!(self, EventType::Record | EventType::LiveStream)
    }
}

/// `classificationType` (iCal `CLASS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Classification {
    /// 1: `PUBLIC`.
    Public,
    /// 2: `PRIVATE`.
    Private,
    /// 3: `CONFIDENTIAL`.
    Confidential,
}

impl Classification {
    /// Parses the exact upper-case iCal spelling, as the server does.
    pub fn parse(v: &str) -> Option<Self> {
        match v {
            "PUBLIC" => Some(Classification::Public),
            "PRIVATE" => Some(Classification::Private),
            "CONFIDENTIAL" => Some(Classification::Confidential),
            _ => None,
        }
    }

    /// The iCal spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Classification::Public => "PUBLIC",
            Classification::Private => "PRIVATE",
            Classification::Confidential => "CONFIDENTIAL",
        }
    }
}

/// The kind of template entry an event-CSV row creates (`templateEntryType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum TemplateEntryType {
    /// `media`: a `KalturaMediaEntry` (video).
    Media,
    /// `live`: a `KalturaLiveStreamEntry`.
    Live,
}

impl TemplateEntryType {
    /// The CSV spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateEntryType::Media => "media",
            TemplateEntryType::Live => "live",
        }
    }
}

/// `KalturaScheduleEventRecurrenceFrequency`, by its constant name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Frequency {
    /// `SECONDLY`.
    Secondly,
    /// `MINUTELY`.
    Minutely,
    /// `HOURLY`.
    Hourly,
    /// `DAILY`.
    Daily,
    /// `WEEKLY`.
    Weekly,
    /// `MONTHLY`.
    Monthly,
    /// `YEARLY`.
    Yearly,
}

impl Frequency {
    /// Every frequency.
    pub const ALL: [Frequency; 7] = [
        Frequency::Secondly,
        Frequency::Minutely,
        Frequency::Hourly,
        Frequency::Daily,
        Frequency::Weekly,
        Frequency::Monthly,
        Frequency::Yearly,
    ];

    /// Parses the exact constant name (upper-case), as PHP `constant()` does.
    pub fn parse(v: &str) -> Option<Self> {
        Frequency::ALL.into_iter().find(|f| f.as_str() == v)
    }

    /// The constant name.
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Secondly => "SECONDLY",
            Frequency::Minutely => "MINUTELY",
            Frequency::Hourly => "HOURLY",
            Frequency::Daily => "DAILY",
            Frequency::Weekly => "WEEKLY",
            Frequency::Monthly => "MONTHLY",
            Frequency::Yearly => "YEARLY",
        }
    }

    /// The API's spelling (`KalturaScheduleEventRecurrenceFrequency` values).
    pub fn api_name(self) -> &'static str {
        match self {
            Frequency::Secondly => "seconds",
            Frequency::Minutely => "minutes",
            Frequency::Hourly => "hours",
            Frequency::Daily => "days",
            Frequency::Weekly => "weeks",
            Frequency::Monthly => "months",
            Frequency::Yearly => "years",
        }
    }
}

/// An instant, written in JSON as RFC 3339 in UTC (`2027-07-01T14:00:00Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventTime(pub jiff::Timestamp);

/// What the server makes of an event's times when that differs from what the file means (an
/// iCal time in a zone, converted with the import day's offset): the per-event time rules run on
/// these too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerTimes {
    /// The server's start, when it differs.
    pub start: Option<EventTime>,
    /// The server's end, when it differs.
    pub end: Option<EventTime>,
    /// The import time the conversion used.
    pub import: jiff::Timestamp,
}

impl EventTime {
    /// Seconds since the Unix epoch (the API's `startDate`/`endDate`).
    pub fn unix(self) -> i64 {
        self.0.as_second()
    }

    /// From Unix seconds, when in jiff's range.
    pub fn from_unix(s: i64) -> Option<Self> {
        jiff::Timestamp::from_second(s).ok().map(EventTime)
    }

    /// iCal UTC form `YYYYMMDDTHHMMSSZ`.
    pub fn ical_utc(self) -> String {
        self.0.strftime("%Y%m%dT%H%M%SZ").to_string()
    }
}

impl fmt::Display for EventTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.strftime("%Y-%m-%dT%H:%M:%SZ"))
    }
}

impl Serialize for EventTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EventTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Cow::<str>::deserialize(d)?;
        s.parse::<jiff::Timestamp>()
            .map(EventTime)
            .map_err(|e| serde::de::Error::custom(format!("not an RFC 3339 instant: {e}")))
    }
}

impl JsonSchema for EventTime {
    fn schema_name() -> Cow<'static, str> {
        "EventTime".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "date-time",
            "description": "An instant in RFC 3339 form, normally UTC (2027-07-01T14:00:00Z)."
        })
    }
}

/// `KalturaScheduleEventRecurrence`: the rule of a recurring event. Lists stay comma-separated
/// strings, as the API keeps them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Recurrence {
    /// `FREQ`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<Frequency>,
    /// `UNTIL`: last possible occurrence start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<EventTime>,
    /// `COUNT`: number of occurrences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// `INTERVAL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<u32>,
    /// `BYSECOND`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_second: Option<String>,
    /// `BYMINUTE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_minute: Option<String>,
    /// `BYHOUR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_hour: Option<String>,
    /// `BYDAY` (`MO`…`SU` with an optional ±n prefix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_day: Option<String>,
    /// `BYMONTHDAY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_month_day: Option<String>,
    /// `BYYEARDAY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_year_day: Option<String>,
    /// `BYWEEKNO`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_week_number: Option<String>,
    /// `BYMONTH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_month: Option<String>,
    /// `BYSETPOS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_offset: Option<String>,
    /// `WKST` (`MO`…`SU`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week_start_day: Option<String>,
    /// `NAME` (Kaltura's non-standard rule part).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Recurrence {
    /// The rule parts in RFC 5545 order, as `(part name, value)`, without `FREQ`/`UNTIL`/`COUNT`/`INTERVAL`.
    pub fn by_parts(&self) -> [(&'static str, Option<&str>); 10] {
        [
            ("BYSECOND", self.by_second.as_deref()),
            ("BYMINUTE", self.by_minute.as_deref()),
            ("BYHOUR", self.by_hour.as_deref()),
            ("BYDAY", self.by_day.as_deref()),
            ("BYMONTHDAY", self.by_month_day.as_deref()),
            ("BYYEARDAY", self.by_year_day.as_deref()),
            ("BYWEEKNO", self.by_week_number.as_deref()),
            ("BYMONTH", self.by_month.as_deref()),
            ("BYSETPOS", self.by_offset.as_deref()),
            ("WKST", self.week_start_day.as_deref()),
        ]
    }

    /// The list-valued parts by their `KalturaScheduleEventRecurrence` field names, `NAME`
    /// included (the API object's fields besides frequency, until, count and interval).
    pub fn api_list_parts(&self) -> [(&'static str, &Option<String>); 11] {
        [
            ("bySecond", &self.by_second),
            ("byMinute", &self.by_minute),
            ("byHour", &self.by_hour),
            ("byDay", &self.by_day),
            ("byMonthDay", &self.by_month_day),
            ("byYearDay", &self.by_year_day),
            ("byWeekNumber", &self.by_week_number),
            ("byMonth", &self.by_month),
            ("byOffset", &self.by_offset),
            ("weekStartDay", &self.week_start_day),
            ("name", &self.name),
        ]
    }

    /// The RFC 5545 `RRULE` value (`FREQ=…;…`), without Kaltura's `NAME` part.
    pub fn to_rrule(&self) -> String {
        let mut parts = Vec::new();
        if let Some(f) = self.frequency {
            parts.push(format!("FREQ={}", f.as_str()));
        }
        if let Some(u) = self.until {
            parts.push(format!("UNTIL={}", u.ical_utc()));
        }
        if let Some(c) = self.count {
            parts.push(format!("COUNT={c}"));
        }
        if let Some(i) = self.interval {
            parts.push(format!("INTERVAL={i}"));
        }
        for (name, v) in self.by_parts() {
            if let Some(v) = v {
                parts.push(format!("{name}={v}"));
            }
        }
        parts.join(";")
    }
}

/// A schedule event: one VEVENT of an iCal file or one row of a schedule-event CSV.
///
/// Times are the instants the file means (a `TZID` time converted at the event's own date);
/// `timeZone` keeps the zone the file named so that writers can name it again.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScheduleEvent {
    /// Add (or update by `referenceId`), or cancel.
    #[serde(default)]
    pub action: EventAction,
    /// The event class. iCal jobs take it from the job's `eventsType`, not from the file.
    #[serde(default)]
    pub event_type: EventType,
    /// iCal `UID`: the key the server matches updates on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_id: Option<String>,
    /// `SUMMARY` / CSV `title` (required, 1–256 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// `DESCRIPTION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `X-KALTURA-TAGS` / CSV `tags` (comma-separated, under 65,000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    /// `STATUS` as written: read-only in the API, any value makes the add fail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `DTSTART` / CSV `startTime`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<EventTime>,
    /// `DTEND` / CSV `endTime` of a single event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<EventTime>,
    /// `DURATION` in seconds (one occurrence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<i64>,
    /// The IANA zone the times were written in (`TZID`), when not UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// `RRULE` / CSV `recurrence`: present for a recurring event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<Recurrence>,
    /// `LOCATION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// `GEOLATITUDE` (non-standard name; the API wants it ≥ 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo_latitude: Option<f64>,
    /// `GEOLONGITUDE` (non-standard name; the API wants it ≥ 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo_longitude: Option<f64>,
    /// `PRIORITY` (0–9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// `SEQUENCE` (≥ 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<i64>,
    /// `CLASS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification_type: Option<Classification>,
    /// `CONTACT` (raw).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// `COMMENT` (raw).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `ORGANIZER` (raw, e.g. `mailto:…`) / CSV `eventOrganizerId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizer: Option<String>,
    /// `X-KALTURA-OWNER-ID` / CSV `eventOrganizerId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    /// `X-KALTURA-PARENT-ID`: read-only in the API, any value makes the add fail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// `X-KALTURA-TEMPLATE-ENTRY-ID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_entry_id: Option<String>,
    /// `X-KALTURA-ENTRY-IDS` (comma-separated entry ids).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_ids: Option<String>,
    /// `X-KALTURA-CATEGORY-IDS` / CSV `categoryIds` (comma-separated integers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_ids: Option<String>,
    /// CSV `categoryPaths` (comma-separated full names `a>b`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_paths: Option<String>,
    /// CSV `resource`: the resource's system name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_system_name: Option<String>,
    /// CSV `resourceID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// CSV `coEditors` (template entry `entitledUsersEdit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co_editors: Option<String>,
    /// CSV `coPublishers` (template entry `entitledUsersPublish`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co_publishers: Option<String>,
    /// CSV `contentOwnerId` (template entry `userId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_owner_id: Option<String>,
    /// CSV `templateEntryType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_entry_type: Option<TemplateEntryType>,
}

impl ScheduleEvent {
    /// True when the event has a recurrence rule.
    pub fn is_recurring(&self) -> bool {
        self.recurrence.is_some()
    }

    /// Length of one occurrence in seconds: `duration`, else end − start.
    pub fn occurrence_seconds(&self) -> Option<i64> {
        self.duration
            .or_else(|| match (self.start_date, self.end_date) {
                (Some(s), Some(e)) => Some(e.unix() - s.unix()),
                _ => None,
            })
    }
}

/// The fields of an event that a file can place, for locating diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum EventField {
    Action,
    EventType,
    ReferenceId,
    Summary,
    Description,
    Tags,
    Status,
    StartDate,
    EndDate,
    Duration,
    Recurrence,
    Location,
    GeoLatitude,
    GeoLongitude,
    Priority,
    Sequence,
    Classification,
    Organizer,
    OwnerId,
    ParentId,
    TemplateEntryId,
    EntryIds,
    CategoryIds,
    CategoryPaths,
    Resource,
    ResourceId,
    ContentOwnerId,
    TemplateEntryType,
    /// The recurrence's end: the `UNTIL=` part of an RRULE, or the event CSV's `endTime` (which
    /// the engine uses as the series' end). Falls back to [`EventField::Recurrence`].
    RecurrenceUntil,
}

impl EventField {
    /// Number of fields.
    pub const COUNT: usize = 29;

    /// Index into per-field arrays.
    pub fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_time_round_trips_as_rfc3339() {
        let t = EventTime(jiff::Timestamp::from_second(1_800_000_000).unwrap());
        let s = serde_json::to_string(&t).unwrap();
        assert_eq!(s, "\"2027-01-15T08:00:00Z\"");
        assert_eq!(serde_json::from_str::<EventTime>(&s).unwrap(), t);
        assert_eq!(t.ical_utc(), "20270115T080000Z");
    }

    #[test]
    fn rrule_text_keeps_rfc_order() {
        let r = Recurrence {
            frequency: Some(Frequency::Weekly),
            count: Some(4),
            by_day: Some("MO,WE".into()),
            name: Some("x".into()),
            ..Recurrence::default()
        };
        assert_eq!(r.to_rrule(), "FREQ=WEEKLY;COUNT=4;BYDAY=MO,WE");
    }
}
