//! API v3 errors: `KalturaAPIException` bodies with Kaltura's own codes and message texts.
use serde_json::{Map, Value, json};

/// One API error: a stable code, Kaltura's message with its arguments filled in, and the
/// arguments by name (as the server sends them in `args`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub code: &'static str,
    pub message: String,
    pub args: Vec<(&'static str, String)>,
}

impl ApiError {
    fn new(code: &'static str, message: String, args: Vec<(&'static str, String)>) -> Self {
        ApiError {
            code,
            message,
            args,
        }
    }

    /// The JSON body Kaltura sends (with HTTP 200) for this error.
    pub fn to_json(&self) -> Value {
        let args: Map<String, Value> = self
            .args
            .iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.clone())))
            .collect();
        json!({
            "objectType": "KalturaAPIException",
            "code": self.code,
            "message": self.message,
            "args": args,
        })
    }

    /// `INVALID_KS`. Kaltura echoes the KS in the message; the sandbox does not, because a KS is a
    /// secret and clients log error messages.
    pub fn invalid_ks(err_code: i32, err_desc: &str) -> Self {
        Self::new(
            "INVALID_KS",
            format!("Invalid KS \"[redacted]\", Error \"{err_code},{err_desc}\""),
            vec![
                ("KSID", "[redacted]".into()),
                ("ERR_CODE", err_code.to_string()),
                ("ERR_DESC", err_desc.into()),
            ],
        )
    }

    pub fn service_forbidden(service_action: &str) -> Self {
        Self::new(
            "SERVICE_FORBIDDEN",
            format!("The access to service [{service_action}] is forbidden"),
            vec![("SERVICE", service_action.into())],
        )
    }

    pub fn service_does_not_exist(service: &str) -> Self {
        Self::new(
            "SERVICE_DOES_NOT_EXISTS",
            format!("Service \"{service}\" does not exists"),
            vec![("SRV_NAME", service.into())],
        )
    }

    pub fn action_does_not_exist(action: &str, service: &str) -> Self {
        Self::new(
            "ACTION_DOES_NOT_EXISTS",
            format!("Action \"{action}\" does not exists for service \"{service}\""),
            vec![
                ("ACTION_NAME", action.into()),
                ("SERVICE_NAME", service.into()),
            ],
        )
    }

    pub fn service_not_specified() -> Self {
        Self::new(
            "SERVICE_NOT_SPECIFIED",
            "Service name was not specified, please specify one".into(),
            vec![],
        )
    }

    pub fn action_not_specified() -> Self {
        Self::new(
            "ACTION_NOT_SPECIFIED",
            "Action name was not specified, please specify one".into(),
            vec![],
        )
    }

    pub fn missing_parameter(name: &str) -> Self {
        Self::new(
            "MISSING_MANDATORY_PARAMETER",
            format!("Missing parameter \"{name}\""),
            vec![("PARAM_NAME", name.into())],
        )
    }

    pub fn object_type_abstract(class: &str) -> Self {
        Self::new(
            "OBJECT_TYPE_ABSTRACT",
            format!(
                "The object type \"{class}\" is abstract, use one of the object implementations"
            ),
            vec![("OBJ_TYPE", class.into())],
        )
    }

    pub fn invalid_object_type(class: &str) -> Self {
        Self::new(
            "INVALID_OBJECT_TYPE",
            format!("Invalid object type \"{class}\""),
            vec![("INVALID_OBJ_TYPE", class.into())],
        )
    }

    pub fn cannot_be_null(prop: &str) -> Self {
        Self::new(
            "PROPERTY_VALIDATION_CANNOT_BE_NULL",
            format!("The property \"{prop}\" cannot be null"),
            vec![("PROP_NAME", prop.into())],
        )
    }

    pub fn not_updatable(prop: &str) -> Self {
        Self::new(
            "PROPERTY_VALIDATION_NOT_UPDATABLE",
            format!("The property \"{prop}\" cannot be updated"),
            vec![("PROP_NAME", prop.into())],
        )
    }

    pub fn min_length(prop: &str, min: usize) -> Self {
        Self::new(
            "PROPERTY_VALIDATION_MIN_LENGTH",
            format!("The property \"{prop}\" must have a min length of {min} characters"),
            vec![("PROP_NAME", prop.into()), ("MIN_LEN", min.to_string())],
        )
    }

    pub fn max_length(prop: &str, max: usize) -> Self {
        Self::new(
            "PROPERTY_VALIDATION_MAX_LENGTH",
            format!("The property \"{prop}\" cannot have more than {max} characters"),
            vec![("PROP_NAME", prop.into()), ("MAX_LEN", max.to_string())],
        )
    }

    pub fn numeric_value(prop: &str) -> Self {
        Self::new(
            "PROPERTY_VALIDATION_NUMERIC_VALUE",
            format!("The property \"{prop}\" must be numeric"),
            vec![("PROP_NAME", prop.into())],
        )
    }

    pub fn invalid_enum(value: &str, param: &str, enum_type: &str) -> Self {
        Self::new(
            "INVALID_ENUM_VALUE",
            format!(
                "Invalid enumeration value \"{value}\" for parameter \"{param}\", expecting enumeration type \"{enum_type}\""
            ),
            vec![
                ("ENUM_VAL", value.into()),
                ("PARAM_NAME", param.into()),
                ("ENUM_TYPE", enum_type.into()),
            ],
        )
    }

    pub fn start_session_error(partner_id: &str) -> Self {
        Self::new(
            "START_SESSION_ERROR",
            format!("Error while starting session for partner [{partner_id}]"),
            vec![("PID", partner_id.into())],
        )
    }

    pub fn invalid_widget_id(widget_id: &str) -> Self {
        Self::new(
            "INVALID_WIDGET_ID",
            format!("Unknown widget [{widget_id}]"),
            vec![("WIDGET_ID", widget_id.into())],
        )
    }

    pub fn app_token_not_found(id: &str) -> Self {
        Self::new(
            "APP_TOKEN_ID_NOT_FOUND",
            format!("Application token id \"{id}\" not found"),
            vec![("ID", id.into())],
        )
    }

    pub fn invalid_app_token_hash() -> Self {
        Self::new(
            "INVALID_APP_TOKEN_HASH",
            "Invalid application token hash".into(),
            vec![],
        )
    }

    pub fn system_name_exists(name: &str) -> Self {
        Self::new(
            "SYSTEM_NAME_ALREADY_EXISTS",
            format!("System name [{name}] already exists"),
            vec![("SYS_NAME", name.into())],
        )
    }

    pub fn resource_parent_not_found(id: &str) -> Self {
        Self::new(
            "RESOURCE_PARENT_ID_NOT_FOUND",
            format!("Resource parent id [{id}] not found"),
            vec![("PARENT_ID", id.into())],
        )
    }

    pub fn invalid_object_id(id: &str) -> Self {
        Self::new(
            "INVALID_OBJECT_ID",
            format!("Invalid object id [{id}]"),
            vec![("ID", id.into())],
        )
    }

    pub fn end_before_start(end: i64, start: i64) -> Self {
        Self::new(
            "INVALID_SCHEDULE_END_BEFORE_START",
            format!("End time [{end}] must be after start time [{start}]"),
            vec![
                ("END_TIME", end.to_string()),
                ("START_TIME", start.to_string()),
            ],
        )
    }

    pub fn max_duration(max: i64) -> Self {
        Self::new(
            "MAX_SCHEDULE_DURATION_REACHED",
            format!("Maximum schedule duration [{max}] reached"),
            vec![("MAX_DURATION", max.to_string())],
        )
    }

    pub fn event_resource_exists(event_id: i64, resource_id: i64) -> Self {
        Self::new(
            "SCHEDULE_EVENT_RESOURCE_ALREADY_EXISTS",
            format!(
                "Schedule event resource already exists with eventId[{event_id}] and resourceId ({resource_id})"
            ),
            vec![
                ("EVENT_ID", event_id.to_string()),
                ("RESOURCE_ID", resource_id.to_string()),
            ],
        )
    }

    pub fn event_id_not_found(id: i64) -> Self {
        Self::new(
            "SCHEDULE_EVENT_ID_NOT_FOUND",
            format!("Schedule Event id [{id}] not found"),
            vec![("ID", id.to_string())],
        )
    }

    pub fn resource_id_not_found(id: i64) -> Self {
        Self::new(
            "SCHEDULE_RESOURCE_ID_NOT_FOUND",
            format!("Schedule Resource id [{id}] not found"),
            vec![("ID", id.to_string())],
        )
    }

    pub fn all_null_but_one(props: &str) -> Self {
        Self::new(
            "PROPERTY_VALIDATION_ALL_MUST_BE_NULL_BUT_ONE",
            format!("Only one of the passed properties: {props} should not be null"),
            vec![("PROP_NAME", props.into())],
        )
    }

    pub fn query_exceeded() -> Self {
        Self::new(
            "QUERY_EXCEEDED_MAX_MATCHES_ALLOWED",
            "Unable to generate list. max matches value was reached".into(),
            vec![],
        )
    }

    pub fn entry_not_found(id: &str) -> Self {
        Self::new(
            "ENTRY_ID_NOT_FOUND",
            format!("Entry id \"{id}\" not found"),
            vec![("ENTRY_ID", id.into())],
        )
    }

    pub fn parent_entry_not_found(id: &str) -> Self {
        Self::new(
            "PARENT_ENTRY_ID_NOT_FOUND",
            format!("parent entry id \"{id}\" not found"),
            vec![("ID", id.into())],
        )
    }

    pub fn entry_already_with_content() -> Self {
        Self::new(
            "ENTRY_ALREADY_WITH_CONTENT",
            "Entry already associated with content".into(),
            vec![],
        )
    }

    pub fn resource_type_not_supported(class: &str) -> Self {
        Self::new(
            "RESOURCE_TYPE_NOT_SUPPORTED",
            format!("Resource type \"{class}\" not supported"),
            vec![("RES_TYPE", class.into())],
        )
    }

    pub fn upload_token_not_found() -> Self {
        Self::new(
            "UPLOAD_TOKEN_NOT_FOUND",
            "Upload token not found".into(),
            vec![],
        )
    }

    pub fn upload_token_invalid_status_for_upload() -> Self {
        Self::new(
            "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD",
            "Upload token is in an invalid status for uploading a file, maybe the file was already uploaded"
                .into(),
            vec![],
        )
    }

    pub fn upload_token_invalid_status_for_add_entry() -> Self {
        Self::new(
            "UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY",
            "Upload token is in an invalid status for adding entry, maybe the a file was not uploaded or the token was used"
                .into(),
            vec![],
        )
    }

    pub fn invalid_entry_id(id: &str) -> Self {
        Self::new(
            "INVALID_ENTRY_ID",
            format!("Invalid entry id [\"{id}\"]"),
            vec![("ID", id.into())],
        )
    }

    pub fn category_not_found(id: &str) -> Self {
        Self::new(
            "CATEGORY_NOT_FOUND",
            format!("Category id \"{id}\" not found"),
            vec![("ID", id.into())],
        )
    }

    pub fn category_entry_exists() -> Self {
        Self::new(
            "CATEGORY_ENTRY_ALREADY_EXISTS",
            "Entry already assigned to this category".into(),
            vec![],
        )
    }

    pub fn entry_is_not_assigned_to_category() -> Self {
        Self::new(
            "ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY",
            "Entry is not assigned to category".into(),
            vec![],
        )
    }

    pub fn unknown_response_format(format: &str) -> Self {
        Self::new(
            "UNKNOWN_RESPONSE_FORMAT",
            format!("Response format provided [{format}] is not recognized by server"),
            vec![("FORMAT", format.into())],
        )
    }

    /// A sandbox-specific error for a body that is not what its `Content-Type` claims.
    pub fn invalid_request_body(detail: &str) -> Self {
        Self::new(
            "INVALID_REQUEST_BODY",
            format!("The request body could not be read: {detail}"),
            vec![("DETAIL", detail.into())],
        )
    }

    pub fn duplicate_category(full_name: &str) -> Self {
        Self::new(
            "DUPLICATE_CATEGORY",
            format!("The category \"{full_name}\" already exists"),
            vec![("NAME", full_name.into())],
        )
    }

    pub fn category_name_invalid_chars() -> Self {
        Self::new(
            "CATEGORY_NAME_CONTAINS_INVALID_CHARS",
            "Category name contains invalid chars.".into(),
            vec![],
        )
    }

    pub fn cannot_set_parent_to_child() -> Self {
        Self::new(
            "CANNOT_SET_PARENT_CATEGORY_TO_CHILD",
            "Parent category cannot be set to one of its children".into(),
            vec![],
        )
    }

    pub fn duplicate_user(id: &str) -> Self {
        Self::new(
            "DUPLICATE_USER_BY_ID",
            format!("User with id [{id}] already exists in system"),
            vec![("ID", id.into())],
        )
    }

    pub fn invalid_user_id() -> Self {
        Self::new("INVALID_USER_ID", "Invalid user id".into(), vec![])
    }

    pub fn group_user_exists() -> Self {
        Self::new(
            "GROUP_USER_ALREADY_EXISTS",
            "GroupUser already exists".into(),
            vec![],
        )
    }

    pub fn group_user_does_not_exist(user: &str, group: &str) -> Self {
        Self::new(
            "GROUP_USER_DOES_NOT_EXIST",
            format!("There is no association between user [{user}] and group [{group}]"),
            vec![("USER", user.into()), ("GROUP", group.into())],
        )
    }

    pub fn invalid_category_user_id(category: &str, user: &str) -> Self {
        Self::new(
            "INVALID_CATEGORY_USER_ID",
            format!("Invalid CategoryUser for category [\"{category}\"] and for user [\"{user}\"]"),
            vec![("CAT", category.into()), ("USER", user.into())],
        )
    }

    pub fn category_user_exists() -> Self {
        Self::new(
            "CATEGORY_USER_ALREADY_EXISTS",
            "CategoryUser already exists".into(),
            vec![],
        )
    }

    pub fn must_filter_users_or_category() -> Self {
        Self::new(
            "MUST_FILTER_USERS_OR_CATEGORY",
            "Must filter users or categories".into(),
            vec![],
        )
    }

    pub fn cannot_override_manual_changes() -> Self {
        Self::new(
            "CANNOT_OVERRIDE_MANUAL_CHANGES",
            "Cannot override manual changes".into(),
            vec![],
        )
    }

    /// `CANNOT_ACTIVATE_…` / `CANNOT_REJECT_CATEGORY_ENTRY_SINCE_IT_IS_NOT_PENDING`.
    pub fn category_entry_not_pending(activate: bool) -> Self {
        if activate {
            Self::new(
                "CANNOT_ACTIVATE_CATEGORY_ENTRY_SINCE_IT_IS_NOT_PENDING",
                "Cannot activate a non pending categoryEntry".into(),
                vec![],
            )
        } else {
            Self::new(
                "CANNOT_REJECT_CATEGORY_ENTRY_SINCE_IT_IS_NOT_PENDING",
                "Cannot reject a non pending categoryEntry".into(),
                vec![],
            )
        }
    }

    pub fn group_not_found(group: &str) -> Self {
        Self::new(
            "GROUP_NOT_FOUND",
            format!("Group with id [{group}] was not found"),
            vec![("GROUP", group.into())],
        )
    }

    pub fn bulk_upload_not_found(id: &str) -> Self {
        Self::new(
            "BULK_UPLOAD_NOT_FOUND",
            format!("Bulk upload id [{id}] not found"),
            vec![("BULK_UPLOAD_ID", id.into())],
        )
    }

    pub fn internal(detail: &str) -> Self {
        Self::new(
            "INTERNAL_SERVERL_ERROR",
            format!("Internal server error occurred \"{detail}\""),
            vec![("ERROR", detail.into())],
        )
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(err: rusqlite::Error) -> Self {
        ApiError::internal(&err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_kaltura_shape_and_message() {
        let body = ApiError::system_name_exists("cam-1").to_json();
        assert_eq!(body["objectType"], "KalturaAPIException");
        assert_eq!(body["code"], "SYSTEM_NAME_ALREADY_EXISTS");
        assert_eq!(body["message"], "System name [cam-1] already exists");
        assert_eq!(body["args"]["SYS_NAME"], "cam-1");
    }
}
