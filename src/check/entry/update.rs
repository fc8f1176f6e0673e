//! What an `update` item's content and thumbnails do to what the entry already has (§8.3): the
//! default `replace` sub-action, thumbnails without content, `@assetId` outside `update`.
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::record::entry::{AssetsAction, Entry, EntryAction, EntryField};
use crate::record::locs::EntryLocs;

use super::codes;

/// The asset ids of one list (content or thumbnails), their places, the list's field, and
/// what one and all of them are called.
type AssetList<'a> = (
    Vec<Option<&'a String>>,
    &'a [crate::source::Place],
    &'a [Option<crate::source::Place>],
    EntryField,
    (&'static str, &'static str),
);

/// The sub-action the engine applies to both content and thumbnails: the one given (when only
/// one is given it applies to both), else `replace`.
fn assets_action(e: &Entry) -> AssetsAction {
    e.content_assets
        .as_ref()
        .and_then(|a| a.action)
        .or(e.thumbnails.as_ref().and_then(|a| a.action))
        .unwrap_or(AssetsAction::Replace)
}

/// The rules on the assets of an item that certainly updates an existing entry.
pub(super) fn update_asset_rules(
    e: &Entry,
    locs: &EntryLocs,
    file: &Arc<str>,
    row: u64,
    out: &mut Vec<Diagnostic>,
) {
    if e.effective_action() != Some(EntryAction::Update) {
        return;
    }
    let mode = assets_action(e);
    let content = e.content_assets.as_ref().map_or(0, |a| a.assets.len());
    let thumbs = e.thumbnails.as_ref().map_or(0, |a| a.assets.len());
    if mode == AssetsAction::Replace
        && thumbs > 0
        && content == 0
        && e.keep_manual_thumbnails != Some(true)
    {
        let p = locs.at(EntryField::Thumbnails);
        out.push(
            Diagnostic::new(
                &codes::THUMBNAILS_REPLACE_ALL,
                file,
                format!(
                    "this update gives {thumbs} thumbnail{} and no content in `replace` mode (the default): the server deletes every other thumbnail of the entry",
                    if thumbs == 1 { "" } else { "s" }
                ),
            )
            .label(p.span, p.at, "replaces all thumbnails")
            .row(row)
            .help("write <thumbnails><action>update</action> with @assetId to change one thumbnail, or <keepManualThumbnails>true</keepManualThumbnails> to keep the others"),
        );
    }
    if mode == AssetsAction::Replace {
        let lists: [AssetList<'_>; 2] = [
            (
                e.content_assets
                    .iter()
                    .flat_map(|a| a.assets.iter())
                    .filter(|a| a.resource.is_some())
                    .map(|a| a.asset_id.as_ref())
                    .collect(),
                &locs.content,
                &locs.content_ids,
                EntryField::ContentAssets,
                ("content", "content"),
            ),
            (
                e.thumbnails
                    .iter()
                    .flat_map(|a| a.assets.iter())
                    .filter(|a| a.resource.is_some())
                    .map(|a| a.asset_id.as_ref())
                    .collect(),
                &locs.thumbs,
                &locs.thumb_ids,
                EntryField::Thumbnails,
                ("thumbnail", "thumbnails"),
            ),
        ];
        for (ids, places, id_places, field, (what, all)) in lists {
            for (i, id) in ids.iter().enumerate() {
                let Some(id) = id else { continue };
                // The attribute itself; the asset's resource when the reader had no place for it.
                let p = id_places
                    .get(i)
                    .copied()
                    .flatten()
                    .unwrap_or_else(|| EntryLocs::nth(places, i, locs.at(field)));
                out.push(
                    Diagnostic::new(&codes::ASSET_ID_IGNORED, file, format!("this {what} names @assetId `{id}`, but in `replace` mode (the default) the server ignores it and replaces the entry's {all} instead of updating that one"))
                        .label(p.span, p.at, "assetId ignored")
                        .row(row)
                        .help("write <action>update</action> in <contentAssets> or <thumbnails> to update assets by id"),
                );
            }
        }
    }
}
