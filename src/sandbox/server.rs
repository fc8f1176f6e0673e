//! The router: maps paths to API v3, multirequest, App Registry and the stats endpoint, and
//! applies fault injection around the calls it is configured for.
use std::sync::Arc;

use serde_json::Value;

use super::api_v3;
use super::app_registry;
use super::config::AppToken;
use super::error::ApiError;
use super::faults::{Counters, Fault, Faults, Stats};
use super::http::{Control, Handler, Reply, Request, Response};
use super::params;
use super::random::IdGen;
use super::store::{self, Store};
use super::xml::{self, Format};

/// State shared by every connection thread.
pub(crate) struct Shared {
    pub partner_id: i64,
    pub admin_secret: String,
    pub user_secret: String,
    /// The partner's default entitlement enforcement.
    pub entitlement: bool,
    pub app_tokens: Vec<AppToken>,
    pub store: Store,
    pub ids: IdGen,
    pub faults: Faults,
    pub counters: Counters,
    pub control: Arc<Control>,
    pub bulk: super::bulk::worker::Bulk,
}

impl Shared {
    /// Counters plus the number of stored objects of each kind.
    pub fn stats(&self) -> Stats {
        let mut stats = self.counters.snapshot();
        if let Ok(counts) = self.store.tx(store::counts) {
            stats.objects = counts.into_iter().collect();
        }
        stats
    }
}

/// The [`Handler`] of a sandbox.
pub(crate) struct Router {
    pub shared: Arc<Shared>,
}

/// What a path asks for.
enum Route<'a> {
    Stats,
    /// An API v3 call; service and action may come from the path or the parameters.
    ApiV3 {
        service: Option<&'a str>,
        action: Option<&'a str>,
        pairs: Vec<&'a str>,
    },
    AppRegistry(&'a str),
    NotFound,
}

fn route(path: &str) -> Route<'_> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["__sandbox", "stats"] => Route::Stats,
        ["api", "v1", "app-registry", action] => Route::AppRegistry(action),
        ["api_v3", rest @ ..] => {
            let rest = match rest {
                ["index.php", tail @ ..] => tail,
                tail => tail,
            };
            match rest {
                [] => Route::ApiV3 {
                    service: None,
                    action: None,
                    pairs: Vec::new(),
                },
                ["service", service] => Route::ApiV3 {
                    service: Some(service),
                    action: None,
                    pairs: Vec::new(),
                },
                ["service", service, "action", action, pairs @ ..] => Route::ApiV3 {
                    service: Some(service),
                    action: Some(action),
                    pairs: pairs.to_vec(),
                },
                _ => Route::NotFound,
            }
        }
        _ => Route::NotFound,
    }
}

impl Handler for Router {
    fn handle(&self, request: Request) -> Reply {
        let shared = &self.shared;
        Counters::bump(&shared.counters.requests);
        match route(&request.path) {
            Route::Stats => {
                let stats = serde_json::to_value(shared.stats()).unwrap_or(Value::Null);
                Reply::Send(Response::json(200, &stats))
            }
            Route::NotFound => Reply::Send(Response::json(
                404,
                &serde_json::json!({"code": "NOT_FOUND", "message": format!("no such path: {}", request.path)}),
            )),
            Route::AppRegistry(action) => {
                let action = action.to_string();
                self.with_faults(|| app_registry::handle(shared, &request, &action))
            }
            Route::ApiV3 {
                service,
                action,
                pairs,
            } => {
                let is_ping = service.is_some_and(|s| s.eq_ignore_ascii_case("system"))
                    && action.is_some_and(|a| a.eq_ignore_ascii_case("ping"));
                let is_poll = service.is_some_and(|s| s.eq_ignore_ascii_case("bulkupload_bulk"))
                    && action.is_some_and(|a| a.eq_ignore_ascii_case("get"));
                let run = || api_v3_response(shared, &request, service, action, &pairs);
                if is_ping {
                    Reply::Send(run())
                } else if is_poll && shared.bulk.drop_poll() {
                    let _ = run();
                    Counters::bump(&shared.counters.dropped);
                    Reply::Close
                } else {
                    self.with_faults(run)
                }
            }
        }
    }
}

impl Router {
    /// Runs `execute` under fault injection: latency first; an injected failure answers 503
    /// without running it; drop and timeout run it (the change is committed) and then close the
    /// connection without an answer, the timeout after holding it.
    fn with_faults(&self, execute: impl FnOnce() -> Response) -> Reply {
        let shared = &self.shared;
        let counters = &shared.counters;
        Counters::bump(&counters.faultable);
        let draw = shared.faults.draw();
        if !draw.latency.is_zero() {
            Counters::bump(&counters.delayed);
            shared.control.sleep(draw.latency);
        }
        if draw.fault == Fault::Fail {
            Counters::bump(&counters.failed);
            return Reply::Send(Response::text(
                503,
                "kbulk sandbox: injected failure, nothing was applied\n",
            ));
        }
        let response = execute();
        match draw.fault {
            Fault::Drop => {
                Counters::bump(&counters.dropped);
                Reply::Close
            }
            Fault::Timeout => {
                Counters::bump(&counters.timed_out);
                shared.control.sleep(draw.hold);
                Reply::Close
            }
            _ => Reply::Send(response),
        }
    }
}

fn api_v3_response(
    shared: &Shared,
    request: &Request,
    service: Option<&str>,
    action: Option<&str>,
    pairs: &[&str],
) -> Response {
    let started = std::time::Instant::now();
    let params = match params::collect(request, pairs) {
        Ok(p) => p,
        Err(e) => return Response::json(400, &e.to_json()),
    };
    if let (Some(s), Some(a)) = (service, action)
        && let Some(raw) = api_v3::bulk_file(shared, s, a, &params)
    {
        return raw;
    }
    let format = params::text(params.root.get("format"));
    let (format, body) = match Format::from_param(format.as_deref()) {
        Ok(format) => (format, dispatch(shared, &params, service, action)),
        // Kaltura answers an unknown format in its default format, XML.
        Err(e) => (Format::Xml, e.to_json()),
    };
    match format {
        Format::Json => Response::json(200, &body),
        Format::Xml => Response::xml(200, xml::document(&body, started.elapsed().as_secs_f64())),
    }
}

fn dispatch(
    shared: &Shared,
    params: &params::Params,
    service: Option<&str>,
    action: Option<&str>,
) -> Value {
    let service = service
        .map(str::to_string)
        .or_else(|| params::text(params.root.get("service")));
    match service {
        Some(s) if s.eq_ignore_ascii_case("multirequest") => api_v3::multirequest(shared, params),
        Some(s) => match action
            .map(str::to_string)
            .or_else(|| params::text(params.root.get("action")))
        {
            Some(a) => api_v3::call(shared, &s, &a, params),
            None => ApiError::action_not_specified().to_json(),
        },
        None => ApiError::service_not_specified().to_json(),
    }
}
