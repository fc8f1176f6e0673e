//! `kbulk sandbox` request parsing: arbitrary bytes sent to a running sandbox over 127.0.0.1 (the
//! first byte picks a request head to prepend, so the fuzzer also reaches the parameter, JSON and
//! multipart parsers). A panic in any server thread aborts the run (libfuzzer-sys's panic hook).
#![no_main]
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::Duration;

use kbulk::sandbox::{Sandbox, SandboxConfig};
use libfuzzer_sys::fuzz_target;

static ADDR: OnceLock<SocketAddr> = OnceLock::new();

const HEADS: [&[u8]; 4] = [
    b"",
    b"POST /api_v3/service/schedule_scheduleresource/action/add HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n",
    b"POST /api_v3/service/multirequest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n",
    b"POST /api_v3/service/media/action/add HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\n",
];

fuzz_target!(|data: &[u8]| {
    let addr = *ADDR.get_or_init(|| {
        let config = SandboxConfig {
            max_body_bytes: 1 << 20,
            ..SandboxConfig::default()
        };
        let handle = Sandbox::start(config).expect("the sandbox starts");
        let addr = handle.addr();
        // Serves for the whole run.
        std::mem::forget(handle);
        addr
    });
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(mut s) = TcpStream::connect(addr) else {
        return;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = s.write_all(HEADS[usize::from(pick) % HEADS.len()]);
    let _ = s.write_all(rest);
    let _ = s.shutdown(Shutdown::Write);
    let mut sink = Vec::new();
    let _ = s.read_to_end(&mut sink);
});
