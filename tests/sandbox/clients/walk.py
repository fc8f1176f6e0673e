"""Drives Kaltura's official Python client (KalturaApiClient, unchanged) against a kbulk sandbox.

Usage: walk.py SERVICE_URL PARTNER_ID ADMIN_SECRET USER_SECRET APP_TOKEN_ID:APP_TOKEN (SHA-256)
Prints one line per call ("ok NAME" / "FAIL NAME: why") and then "N passed, M failed".
"""
import hashlib
import sys
import time

from KalturaClient import KalturaClient, KalturaConfiguration
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import (
    KalturaBaseEntryFilter, KalturaCategoryEntry, KalturaCategoryEntryFilter, KalturaEntryType,
    KalturaFilterPager, KalturaLiveStreamEntry, KalturaLiveStreamEntryFilter, KalturaMediaEntry,
    KalturaMediaEntryFilter, KalturaMediaType, KalturaSessionType, KalturaUploadToken,
    KalturaUploadTokenFilter, KalturaUploadedFileTokenResource, KalturaUrlResource,
)
from KalturaClient.Plugins.Schedule import (
    KalturaCameraScheduleResource, KalturaLocationScheduleResource, KalturaRecordScheduleEvent,
    KalturaScheduleEventFilter, KalturaScheduleEventResource, KalturaScheduleEventResourceFilter,
    KalturaScheduleResourceFilter,
)

url, partner, admin_secret, user_secret = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
app_token_id, app_token = sys.argv[5].split(":", 1)
passed, failed = 0, 0


def check(name, fn):
    global passed, failed
    try:
        value = fn()
        passed += 1
        print("ok", name, flush=True)
        return value
    except Exception as e:  # noqa: BLE001 - every failure is reported, not raised
        failed += 1
        print("FAIL", name + ":", type(e).__name__, e, flush=True)
        return None


def expect(cond, why):
    if not cond:
        raise AssertionError(why)


def raises(code, fn):
    try:
        fn()
    except KalturaException as e:
        expect(e.code == code, "expected %s, got %s (%s)" % (code, e.code, e))
        return e
    raise AssertionError("expected KalturaException " + code)


def client_with(ks=None):
    config = KalturaConfiguration(partner)
    config.serviceUrl = url
    c = KalturaClient(config)
    if ks is not None:
        c.setKs(ks)
    return c


c = client_with()
ks = check("session.start admin", lambda: c.session.start(admin_secret, "walker", KalturaSessionType.ADMIN, partner))
c.setKs(ks)
check("system.ping", lambda: expect(c.system.ping() in (True, "1"), "ping"))

# The capture-device flow: a widget session, then appToken.startSession with the token hash.
widget = check("session.startWidgetSession", lambda: c.session.startWidgetSession("_%d" % partner))
def app_token_session():
    weak = client_with(widget.ks)
    token_hash = hashlib.sha256((widget.ks + app_token).encode()).hexdigest()
    info = weak.appToken.startSession(app_token_id, token_hash)
    expect(info.ks and info.partnerId == partner, "session info")
    return info.ks
device_ks = check("appToken.startSession", app_token_session)
check("app-token KS lists upload tokens", lambda: client_with(device_ks).uploadToken.list().totalCount >= 0)

# Locally generated sessions, v1 and v2, admin and user.
local_v1 = KalturaClient.generateSession(admin_secret, "local", KalturaSessionType.ADMIN, partner)
local_v2 = KalturaClient.generateSessionV2(admin_secret, "local2", KalturaSessionType.ADMIN, partner, 3600, "disableentitlement")
user_v2 = KalturaClient.generateSessionV2(user_secret, "viewer", KalturaSessionType.USER, partner)
check("local KS v1 lists resources", lambda: client_with(local_v1).schedule.scheduleResource.list().totalCount >= 0)
check("local KS v2 lists resources", lambda: client_with(local_v2).schedule.scheduleResource.list().totalCount >= 0)
forged = KalturaClient.generateSession("not-the-secret", "x", KalturaSessionType.ADMIN, partner)
check("forged local KS is INVALID_KS", lambda: raises("INVALID_KS", lambda: client_with(forged).schedule.scheduleResource.list()))
expired = KalturaClient.generateSession(admin_secret, "x", KalturaSessionType.ADMIN, partner, -10)
check("expired local KS is INVALID_KS", lambda: raises("INVALID_KS", lambda: client_with(expired).media.list()))
user = client_with(user_v2)
check("USER KS may not add schedule resources", lambda: raises("SERVICE_FORBIDDEN", lambda: user.schedule.scheduleResource.add(
    KalturaLocationScheduleResource(name="Nope", systemName="nope"))))
check("USER KS may list schedule resources", lambda: user.schedule.scheduleResource.list().totalCount >= 0)

# Schedule resources.
res = c.schedule.scheduleResource
loc = check("scheduleResource.add location", lambda: res.add(KalturaLocationScheduleResource(name="Room 1", systemName="room-1", description="first")))
cam = check("scheduleResource.add camera", lambda: res.add(KalturaCameraScheduleResource(name="Cam 1", systemName="cam-1", parentId=loc.id)))
check("scheduleResource.get", lambda: expect(res.get(cam.id).systemName == "cam-1", "get"))
check("scheduleResource.update", lambda: expect(res.update(cam.id, KalturaCameraScheduleResource(name="Cam One")).name == "Cam One", "update"))
check("scheduleResource.update with a null field", lambda: expect(res.update(loc.id, KalturaLocationScheduleResource(description=None)).description in (None, NotImplemented, ""), "null"))
check("duplicate systemName is SYSTEM_NAME_ALREADY_EXISTS", lambda: raises("SYSTEM_NAME_ALREADY_EXISTS", lambda: res.add(KalturaCameraScheduleResource(name="Again", systemName="cam-1"))))
for i in range(5):
    check("scheduleResource.add cam-x%d" % i, lambda: res.add(KalturaCameraScheduleResource(name="X%d" % i, systemName="cam-x%d" % i)))
f = KalturaScheduleResourceFilter(systemNameIn="cam-x1,cam-x2,cam-x3")
check("scheduleResource.list filter", lambda: expect(res.list(f).totalCount == 3, "filter"))
pager = KalturaFilterPager(pageSize=2, pageIndex=2)
check("scheduleResource.list pager", lambda: expect(len(res.list(KalturaScheduleResourceFilter(), pager).objects) == 2, "pager"))

# Schedule events and their resources.
ev = c.schedule.scheduleEvent
start = int(time.time()) + 3600
event = check("scheduleEvent.add", lambda: ev.add(KalturaRecordScheduleEvent(summary="Lecture", startDate=start, endDate=start + 3600, referenceId="ref-1")))
check("scheduleEvent.get", lambda: expect(ev.get(event.id).summary == "Lecture", "get"))
check("scheduleEvent.update", lambda: expect(ev.update(event.id, KalturaRecordScheduleEvent(summary="Lecture 2")).summary == "Lecture 2", "update"))
check("scheduleEvent.list filter", lambda: expect(ev.list(KalturaScheduleEventFilter(referenceIdIn="ref-1")).totalCount == 1, "list"))
check("end before start is INVALID_SCHEDULE_END_BEFORE_START", lambda: raises("INVALID_SCHEDULE_END_BEFORE_START", lambda: ev.add(
    KalturaRecordScheduleEvent(summary="Bad", startDate=start, endDate=start - 10))))
links = c.schedule.scheduleEventResource
check("scheduleEventResource.add", lambda: links.add(KalturaScheduleEventResource(eventId=event.id, resourceId=cam.id)))
check("scheduleEventResource.get", lambda: expect(links.get(event.id, cam.id).resourceId == cam.id, "get"))
check("scheduleEventResource.update", lambda: links.update(event.id, cam.id, KalturaScheduleEventResource()))
check("scheduleEventResource.list", lambda: expect(links.list(KalturaScheduleEventResourceFilter(eventIdEqual=event.id)).totalCount == 1, "list"))
check("scheduleEventResource.delete", lambda: links.delete(event.id, cam.id))
check("scheduleEventResource.get after delete is INVALID_OBJECT_ID", lambda: raises("INVALID_OBJECT_ID", lambda: links.get(event.id, cam.id)))
check("scheduleEvent.cancel", lambda: expect(ev.cancel(event.id).status.getValue() == 1, "cancel"))
check("scheduleEvent.delete", lambda: ev.delete(event.id))
check("scheduleEvent.get after delete is INVALID_OBJECT_ID", lambda: raises("INVALID_OBJECT_ID", lambda: ev.get(event.id)))
check("scheduleResource.delete", lambda: res.delete(cam.id))

# Multirequest with {1:result:id} references.
def multi():
    c.startMultiRequest()
    c.schedule.scheduleResource.add(KalturaLocationScheduleResource(name="MR", systemName="mr-1"))
    first = c.getMultiRequestResult()
    c.schedule.scheduleResource.get(first.id)
    c.schedule.scheduleResource.add(KalturaLocationScheduleResource(name="MR dup", systemName="mr-1"))
    out = c.doMultiRequest()
    expect(out[1].systemName == "mr-1", "reference resolved")
    expect(isinstance(out[2], KalturaException) and out[2].code == "SYSTEM_NAME_ALREADY_EXISTS", "error item")
check("multirequest with {1:result:id}", multi)

# Entries with a chunked upload.
token = check("uploadToken.add", lambda: c.uploadToken.add(KalturaUploadToken(fileName="clip.bin")))
with open(__file__, "rb") as fh:
    data = fh.read()
half = len(data) // 2
import io
part1, part2 = io.BytesIO(data[:half]), io.BytesIO(data[half:])
part1.name = part2.name = "clip.bin"
check("uploadToken.upload chunk 1", lambda: c.uploadToken.upload(token.id, part1, True, False, 0))
check("uploadToken.upload chunk 2", lambda: expect(c.uploadToken.upload(token.id, part2, True, True, half).uploadedFileSize == len(data), "size"))
check("uploadToken.get", lambda: expect(c.uploadToken.get(token.id).status.getValue() == 2, "status"))
entry = check("media.add", lambda: c.media.add(KalturaMediaEntry(name="Clip", mediaType=KalturaMediaType.VIDEO, referenceId="clip-1")))
check("media.addContent", lambda: expect(c.media.addContent(entry.id, KalturaUploadedFileTokenResource(token=token.id)).status.getValue() == "2", "ready"))
check("media.get", lambda: expect(c.media.get(entry.id).name == "Clip", "get"))
check("media.update", lambda: expect(c.media.update(entry.id, KalturaMediaEntry(name="Clip 2")).name == "Clip 2", "update"))
check("media.list filter", lambda: expect(c.media.list(KalturaMediaEntryFilter(referenceIdIn="clip-1")).totalCount == 1, "list"))
check("baseEntry.list filter", lambda: expect(c.baseEntry.list(KalturaBaseEntryFilter(referenceIdIn="clip-1")).totalCount == 1, "list"))
check("baseEntry.get", lambda: expect(c.baseEntry.get(entry.id).id == entry.id, "get"))
check("categoryEntry.add", lambda: c.categoryEntry.add(KalturaCategoryEntry(entryId=entry.id, categoryId=11)))
check("categoryEntry.list", lambda: expect(c.categoryEntry.list(KalturaCategoryEntryFilter(entryIdEqual=entry.id)).totalCount == 1, "list"))
check("categoryEntry.delete", lambda: c.categoryEntry.delete(entry.id, 11))
check("USER KS may not update another user's entry", lambda: raises("INVALID_KS", lambda: user.media.update(entry.id, KalturaMediaEntry(name="Mine"))))
edit_ks = KalturaClient.generateSession(user_secret, "viewer", KalturaSessionType.USER, partner, 3600, "edit:" + entry.id)
check("edit:ENTRY_ID lets a USER KS update it", lambda: client_with(edit_ks).media.update(entry.id, KalturaMediaEntry(description="edited")))
live = check("liveStream.add", lambda: c.liveStream.add(KalturaLiveStreamEntry(name="Live", mediaType=201), 32))
check("liveStream.get", lambda: expect(c.liveStream.get(live.id).name == "Live", "get"))
check("liveStream.update", lambda: expect(c.liveStream.update(live.id, KalturaLiveStreamEntry(name="Live 2")).name == "Live 2", "update"))
check("liveStream.list filter", lambda: expect([e.id for e in c.liveStream.list(KalturaLiveStreamEntryFilter()).objects] == [live.id], "only live entries"))
check("media.list leaves live entries out", lambda: expect(live.id not in [e.id for e in c.media.list().objects], "media only"))
check("liveStream.delete", lambda: c.liveStream.delete(live.id))
check("liveStream.get after delete is ENTRY_ID_NOT_FOUND", lambda: raises("ENTRY_ID_NOT_FOUND", lambda: c.liveStream.get(live.id)))
check("media.updateContent", lambda: expect(c.media.updateContent(entry.id, KalturaUrlResource(url="http://media.invalid/clip.mp4")).id == entry.id, "replaced"))

# Upload tokens: list (a USER KS sees its own only), delete, and the not-found error.
extra = check("uploadToken.add second", lambda: c.uploadToken.add(KalturaUploadToken(fileName="extra.bin")))
check("uploadToken.list filter", lambda: expect([t.id for t in c.uploadToken.list(KalturaUploadTokenFilter(fileNameEqual="extra.bin")).objects] == [extra.id], "list"))
check("uploadToken.list for a USER KS is its own", lambda: expect(user.uploadToken.list().totalCount == 0, "own only"))
check("uploadToken.delete", lambda: c.uploadToken.delete(extra.id))
check("uploadToken.get after delete is UPLOAD_TOKEN_NOT_FOUND", lambda: raises("UPLOAD_TOKEN_NOT_FOUND", lambda: c.uploadToken.get(extra.id)))

# baseEntry add/update/delete, and entitlement on a categorised entry.
base = check("baseEntry.add", lambda: c.baseEntry.add(KalturaMediaEntry(name="Base", mediaType=KalturaMediaType.VIDEO), KalturaEntryType.MEDIA_CLIP))
check("baseEntry.update", lambda: expect(c.baseEntry.update(base.id, KalturaMediaEntry(description="upd")).description == "upd", "update"))
check("categoryEntry.add (entitlement)", lambda: c.categoryEntry.add(KalturaCategoryEntry(entryId=base.id, categoryId=12)))
check("no entitlement by default: a USER KS sees it", lambda: expect(user.baseEntry.get(base.id).id == base.id, "visible"))
strict = client_with(KalturaClient.generateSessionV2(user_secret, "viewer", KalturaSessionType.USER, partner, 3600, "enableentitlement"))
check("enableentitlement hides it: ENTRY_ID_NOT_FOUND", lambda: raises("ENTRY_ID_NOT_FOUND", lambda: strict.baseEntry.get(base.id)))
check("enableentitlement leaves it out of lists", lambda: expect(strict.baseEntry.list(KalturaBaseEntryFilter(idIn=base.id)).totalCount == 0, "hidden"))
check("baseEntry.delete", lambda: c.baseEntry.delete(base.id))
check("baseEntry.get after delete is ENTRY_ID_NOT_FOUND", lambda: raises("ENTRY_ID_NOT_FOUND", lambda: c.baseEntry.get(base.id)))
check("scheduleResource.get unknown is INVALID_OBJECT_ID", lambda: raises("INVALID_OBJECT_ID", lambda: c.schedule.scheduleResource.get(999999999)))
check("media.add without mediaType is PROPERTY_VALIDATION_CANNOT_BE_NULL", lambda: raises("PROPERTY_VALIDATION_CANNOT_BE_NULL", lambda: c.media.add(KalturaMediaEntry(name="No type"))))
check("media.delete", lambda: c.media.delete(entry.id))
check("media.get after delete is ENTRY_ID_NOT_FOUND", lambda: raises("ENTRY_ID_NOT_FOUND", lambda: c.media.get(entry.id)))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
