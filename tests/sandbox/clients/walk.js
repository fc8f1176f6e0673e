// Drives Kaltura's official Node client (kaltura-client, unchanged) against a kbulk sandbox.
// Usage: node walk.js SERVICE_URL PARTNER_ID ADMIN_SECRET USER_SECRET APP_TOKEN_ID:APP_TOKEN (SHA-256)
// Prints one line per call ("ok NAME" / "FAIL NAME: why") and then "N passed, M failed".
const crypto = require('crypto');
const kaltura = require('kaltura-client');

const [url, partnerText, adminSecret, userSecret, appTokenArg] = process.argv.slice(2);
const appTokenId = appTokenArg.slice(0, appTokenArg.indexOf(':'));
const appToken = appTokenArg.slice(appTokenArg.indexOf(':') + 1);
const partnerId = Number(partnerText);
const S = kaltura.services;
const O = kaltura.objects;
let passed = 0;
let failed = 0;

function clientWith(ks) {
	const config = new kaltura.Configuration();
	config.serviceUrl = url;
	const c = new kaltura.Client(config);
	if (ks) c.setKs(ks);
	return c;
}

async function check(name, fn) {
	try {
		const value = await fn();
		passed += 1;
		console.log('ok ' + name);
		return value;
	} catch (e) {
		failed += 1;
		console.log('FAIL ' + name + ': ' + (e && (e.stack || e.message || JSON.stringify(e))));
		return null;
	}
}

function expect(cond, why) {
	if (!cond) throw new Error(why);
}

async function raises(code, promise) {
	try {
		await promise;
	} catch (e) {
		expect(e && e.code === code, 'expected ' + code + ', got ' + JSON.stringify(e));
		return;
	}
	throw new Error('expected ' + code);
}

(async () => {
	const c = clientWith();
	const ks = await check('session.start admin', () =>
		S.session.start(adminSecret, 'node-walker', kaltura.enums.SessionType.ADMIN, partnerId).execute(c));
	c.setKs(ks);
	const userKs = await check('session.start user', () =>
		S.session.start(userSecret, 'node-user', kaltura.enums.SessionType.USER, partnerId).execute(c));
	const user = clientWith(userKs);
	const widget = await check('session.startWidgetSession', () => S.session.startWidgetSession('_' + partnerId).execute(c));
	const deviceKs = await check('appToken.startSession', async () => {
		const hash = crypto.createHash('sha256').update(widget.ks + appToken).digest('hex');
		const info = await S.appToken.startSession(appTokenId, hash).execute(clientWith(widget.ks));
		expect(info.ks && info.partnerId === partnerId, JSON.stringify(info));
		return info.ks;
	});
	await check('app-token KS lists upload tokens', async () =>
		expect((await S.uploadToken.listAction().execute(clientWith(deviceKs))).totalCount >= 0, 'list'));
	await check('USER KS may not add schedule resources', () => raises('SERVICE_FORBIDDEN',
		S.scheduleResource.add(new O.LocationScheduleResource({name: 'No', systemName: 'no'})).execute(user)));

	const loc = await check('scheduleResource.add', () =>
		S.scheduleResource.add(new O.LocationScheduleResource({name: 'Node room', systemName: 'node-room'})).execute(c));
	const cam = await check('scheduleResource.add camera', () =>
		S.scheduleResource.add(new O.CameraScheduleResource({name: 'Node cam', systemName: 'node-cam', parentId: loc.id})).execute(c));
	await check('scheduleResource.get', async () => expect((await S.scheduleResource.get(cam.id).execute(c)).name === 'Node cam', 'get'));
	await check('scheduleResource.update', async () =>
		expect((await S.scheduleResource.update(cam.id, new O.CameraScheduleResource({name: 'Cam 2'})).execute(c)).name === 'Cam 2', 'update'));
	await check('scheduleResource.list filter+pager', async () => {
		const list = await S.scheduleResource.listAction(new O.ScheduleResourceFilter({systemNameIn: 'node-room,node-cam'}),
			new O.FilterPager({pageSize: 1, pageIndex: 2})).execute(c);
		expect(list.totalCount === 2 && list.objects.length === 1, JSON.stringify(list));
	});
	await check('duplicate systemName is SYSTEM_NAME_ALREADY_EXISTS', () => raises('SYSTEM_NAME_ALREADY_EXISTS',
		S.scheduleResource.add(new O.CameraScheduleResource({name: 'Dup', systemName: 'node-cam'})).execute(c)));

	const start = Math.floor(Date.now() / 1000) + 7200;
	const ev = await check('scheduleEvent.add', () => S.scheduleEvent.add(new O.RecordScheduleEvent(
		{summary: 'Node lecture', startDate: start, endDate: start + 600, referenceId: 'node-ref'})).execute(c));
	await check('scheduleEvent.get', async () => expect((await S.scheduleEvent.get(ev.id).execute(c)).summary === 'Node lecture', 'get'));
	await check('scheduleEvent.update', () => S.scheduleEvent.update(ev.id, new O.RecordScheduleEvent({summary: 'Node 2'})).execute(c));
	await check('scheduleEvent.list', async () =>
		expect((await S.scheduleEvent.listAction(new O.ScheduleEventFilter({referenceIdIn: 'node-ref'})).execute(c)).totalCount === 1, 'list'));
	await check('scheduleEventResource.add', () =>
		S.scheduleEventResource.add(new O.ScheduleEventResource({eventId: ev.id, resourceId: cam.id})).execute(c));
	await check('scheduleEventResource.get', () => S.scheduleEventResource.get(ev.id, cam.id).execute(c));
	await check('scheduleEventResource.update', () =>
		S.scheduleEventResource.update(ev.id, cam.id, new O.ScheduleEventResource({})).execute(c));
	await check('scheduleEventResource.list', async () => expect((await S.scheduleEventResource.listAction(
		new O.ScheduleEventResourceFilter({eventIdEqual: ev.id})).execute(c)).totalCount === 1, 'list'));
	await check('scheduleEventResource.delete', () => S.scheduleEventResource.deleteAction(ev.id, cam.id).execute(c));
	await check('scheduleEvent.cancel', () => S.scheduleEvent.cancel(ev.id).execute(c));
	await check('scheduleEvent.delete', () => S.scheduleEvent.deleteAction(ev.id).execute(c));
	await check('scheduleEvent.get after delete is INVALID_OBJECT_ID', () => raises('INVALID_OBJECT_ID', S.scheduleEvent.get(ev.id).execute(c)));
	await check('scheduleResource.delete', () => S.scheduleResource.deleteAction(cam.id).execute(c));

	await check('multirequest with {1:result:id}', async () => {
		const out = await S.scheduleResource.add(new O.LocationScheduleResource({name: 'MR', systemName: 'node-mr'}))
			.add(S.scheduleResource.get('{1:result:id}'))
			.add(S.scheduleResource.add(new O.LocationScheduleResource({name: 'MR', systemName: 'node-mr'})))
			.execute(c);
		expect(out[1].systemName === 'node-mr', JSON.stringify(out));
		expect(out[2].code === 'SYSTEM_NAME_ALREADY_EXISTS', JSON.stringify(out[2]));
	});

	const token = await check('uploadToken.add', () => S.uploadToken.add(new O.UploadToken({fileName: 'n.bin'})).execute(c));
	const data = Buffer.from('0123456789abcdefghij');
	await check('uploadToken.upload chunk 1', () => S.uploadToken.upload(token.id, data.subarray(0, 10), true, false, 0).execute(c));
	await check('uploadToken.upload chunk 2', async () => expect((await S.uploadToken.upload(token.id, data.subarray(10), true, true, 10)
		.execute(c)).uploadedFileSize === 20, 'size'));
	const entry = await check('media.add', () => S.media.add(new O.MediaEntry({name: 'Node clip', mediaType: 1, referenceId: 'node-clip'})).execute(c));
	await check('media.addContent', async () => expect((await S.media.addContent(entry.id,
		new O.UploadedFileTokenResource({token: token.id})).execute(c)).status == 2, 'ready'));
	await check('media.update', () => S.media.update(entry.id, new O.MediaEntry({name: 'Node clip 2'})).execute(c));
	await check('baseEntry.list filter', async () =>
		expect((await S.baseEntry.listAction(new O.BaseEntryFilter({referenceIdIn: 'node-clip'})).execute(c)).totalCount === 1, 'list'));
	await check('categoryEntry.add', () => S.categoryEntry.add(new O.CategoryEntry({entryId: entry.id, categoryId: 5})).execute(c));
	await check('categoryEntry.delete', () => S.categoryEntry.deleteAction(entry.id, 5).execute(c));
	await check('USER KS may not update another user\'s entry', () => raises('INVALID_KS',
		S.media.update(entry.id, new O.MediaEntry({name: 'mine'})).execute(user)));
	await check('media.get', async () => expect((await S.media.get(entry.id).execute(c)).name === 'Node clip 2', 'get'));
	await check('media.list filter', async () =>
		expect((await S.media.listAction(new O.MediaEntryFilter({referenceIdIn: 'node-clip'})).execute(c)).totalCount === 1, 'list'));
	await check('baseEntry.get', async () => expect((await S.baseEntry.get(entry.id).execute(c)).id === entry.id, 'get'));
	await check('media.updateContent', async () => expect((await S.media.updateContent(entry.id,
		new O.UrlResource({url: 'http://media.invalid/clip.mp4'})).execute(c)).id === entry.id, 'replaced'));
	await check('categoryEntry.list', async () => {
		await S.categoryEntry.add(new O.CategoryEntry({entryId: entry.id, categoryId: 6})).execute(c);
		const list = await S.categoryEntry.listAction(new O.CategoryEntryFilter({entryIdEqual: entry.id})).execute(c);
		expect(list.totalCount === 1 && list.objects[0].categoryId === 6, JSON.stringify(list));
	});

	// Live streams.
	const live = await check('liveStream.add', () =>
		S.liveStream.add(new O.LiveStreamEntry({name: 'Node live', mediaType: 201}), 32).execute(c));
	await check('liveStream.get', async () => expect((await S.liveStream.get(live.id).execute(c)).name === 'Node live', 'get'));
	await check('liveStream.update', async () =>
		expect((await S.liveStream.update(live.id, new O.LiveStreamEntry({name: 'Node live 2'})).execute(c)).name === 'Node live 2', 'update'));
	await check('liveStream.list', async () => {
		const list = await S.liveStream.listAction(new O.LiveStreamEntryFilter({})).execute(c);
		expect(list.totalCount === 1 && list.objects[0].id === live.id, JSON.stringify(list));
	});
	await check('liveStream.delete', () => S.liveStream.deleteAction(live.id).execute(c));
	await check('liveStream.get after delete is ENTRY_ID_NOT_FOUND', () => raises('ENTRY_ID_NOT_FOUND', S.liveStream.get(live.id).execute(c)));

	// Upload tokens: get, list (a USER KS sees its own only), delete.
	await check('uploadToken.get', async () => expect((await S.uploadToken.get(token.id).execute(c)).status == 3, 'closed by its entry'));
	const spare = await check('uploadToken.add spare', () => S.uploadToken.add(new O.UploadToken({fileName: 'spare.bin'})).execute(c));
	await check('uploadToken.list filter', async () => {
		const list = await S.uploadToken.listAction(new O.UploadTokenFilter({fileNameEqual: 'spare.bin'})).execute(c);
		expect(list.totalCount === 1 && list.objects[0].id === spare.id, JSON.stringify(list));
	});
	await check('uploadToken.list for a USER KS is its own', async () =>
		expect((await S.uploadToken.listAction().execute(user)).totalCount === 0, 'own only'));
	await check('uploadToken.delete', () => S.uploadToken.deleteAction(spare.id).execute(c));
	await check('uploadToken.get after delete is UPLOAD_TOKEN_NOT_FOUND', () =>
		raises('UPLOAD_TOKEN_NOT_FOUND', S.uploadToken.get(spare.id).execute(c)));

	// baseEntry add/update/delete, and entitlement on a categorised entry.
	const base = await check('baseEntry.add', () =>
		S.baseEntry.add(new O.MediaEntry({name: 'Node base', mediaType: 1}), 1).execute(c));
	await check('baseEntry.update', async () =>
		expect((await S.baseEntry.update(base.id, new O.MediaEntry({description: 'upd'})).execute(c)).description === 'upd', 'update'));
	await check('categoryEntry.add (entitlement)', () => S.categoryEntry.add(new O.CategoryEntry({entryId: base.id, categoryId: 9})).execute(c));
	await check('no entitlement by default: a USER KS sees it', async () =>
		expect((await S.baseEntry.get(base.id).execute(user)).id === base.id, 'visible'));
	const strictKs = await check('session.start with enableentitlement', () =>
		S.session.start(userSecret, 'node-user', kaltura.enums.SessionType.USER, partnerId, 3600, 'enableentitlement').execute(c));
	const strict = clientWith(strictKs);
	await check('enableentitlement hides it: ENTRY_ID_NOT_FOUND', () => raises('ENTRY_ID_NOT_FOUND', S.baseEntry.get(base.id).execute(strict)));
	await check('enableentitlement leaves it out of lists', async () =>
		expect((await S.baseEntry.listAction(new O.BaseEntryFilter({idIn: base.id})).execute(strict)).totalCount === 0, 'hidden'));
	await check('baseEntry.delete', () => S.baseEntry.deleteAction(base.id).execute(c));
	await check('baseEntry.get after delete is ENTRY_ID_NOT_FOUND', () => raises('ENTRY_ID_NOT_FOUND', S.baseEntry.get(base.id).execute(c)));

	// More of the error path.
	await check('scheduleResource.get unknown is INVALID_OBJECT_ID', () => raises('INVALID_OBJECT_ID', S.scheduleResource.get(999999999).execute(c)));
	await check('a forged KS is INVALID_KS', () => raises('INVALID_KS', S.media.listAction().execute(clientWith('forged-ks'))));
	await check('media.add without mediaType is PROPERTY_VALIDATION_CANNOT_BE_NULL', () =>
		raises('PROPERTY_VALIDATION_CANNOT_BE_NULL', S.media.add(new O.MediaEntry({name: 'No type'})).execute(c)));
	await check('media.delete', () => S.media.deleteAction(entry.id).execute(c));
	await check('media.get after delete is ENTRY_ID_NOT_FOUND', () => raises('ENTRY_ID_NOT_FOUND', S.media.get(entry.id).execute(c)));

	console.log(passed + ' passed, ' + failed + ' failed');
	process.exit(failed ? 1 : 0);
})();
