//! KS strings that clients generate locally from the partner's secret, read as Kaltura's
//! `ks.php` / `kSessionBase` reads them: v1 (`base64(hex(sha1(secret + info)) | info)` with
//! `info = partnerId;partnerId;expiry;type;rand;userId;privileges[;...]`) and v2
//! (`base64url("v2|" partnerId "|" AES-128-CBC(sha1(secret)[..16], iv 0)(sha1(fields) +
//! fields))`, `fields` being 16 random bytes and then `_e=..&_t=..&_u=..&privilege=value...`).
//! The admin secret signs any type; the user secret signs USER sessions only, as
//! `session.start` allows.
use aes::Aes128;
use aes::cipher::{BlockCipherDecrypt, KeyInit};
use base64::Engine as _;
use sha1::{Digest, Sha1};

use super::params::url_decode;

/// What a valid locally generated KS says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Claims {
    pub partner_id: i64,
    pub session_type: i64,
    pub user_id: String,
    pub expiry: i64,
    pub privileges: String,
}

/// Why a KS string was refused: `ks::INVALID_STR` (-1), `INVALID_PARTNER` (-2), `EXPIRED` (-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    InvalidStr,
    InvalidPartner,
    Expired,
}

impl Refusal {
    /// Kaltura's error number and name for `INVALID_KS`.
    pub fn code(self) -> (i32, &'static str) {
        match self {
            Refusal::InvalidStr => (-1, "INVALID_STR"),
            Refusal::InvalidPartner => (-2, "INVALID_PARTNER"),
            Refusal::Expired => (-5, "EXPIRED"),
        }
    }
}

/// The secrets a KS may be signed with.
pub(crate) struct Secrets<'a> {
    pub partner_id: i64,
    pub admin: &'a str,
    pub user: &'a str,
}

/// Reads and verifies a locally generated KS; `now` is the Unix time it is checked at.
pub(crate) fn verify(ks: &str, secrets: &Secrets<'_>, now: i64) -> Result<Claims, Refusal> {
    let decoded = decode_base64(ks).ok_or(Refusal::InvalidStr)?;
    let (claims, admin_signed) = if let Some(rest) = decoded.strip_prefix(b"v2|") {
        v2(rest, secrets)?
    } else {
        v1(&decoded, secrets)?
    };
    if claims.partner_id != secrets.partner_id {
        return Err(Refusal::InvalidPartner);
    }
    if !admin_signed && claims.session_type != 0 {
        return Err(Refusal::InvalidStr);
    }
    if claims.expiry <= now {
        return Err(Refusal::Expired);
    }
    Ok(claims)
}

/// Standard or URL-safe alphabet, padded or not (clients differ; the server accepts both).
fn decode_base64(ks: &str) -> Option<Vec<u8>> {
    let normalized: String = ks
        .trim()
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(normalized)
        .ok()
}

fn sha1(data: &[u8]) -> [u8; 20] {
    Sha1::digest(data).into()
}

fn v1(decoded: &[u8], secrets: &Secrets<'_>) -> Result<(Claims, bool), Refusal> {
    let text = std::str::from_utf8(decoded).map_err(|_| Refusal::InvalidStr)?;
    let (signature, info) = text.split_once('|').ok_or(Refusal::InvalidStr)?;
    let signed_by = |secret: &str| {
        !secret.is_empty()
            && hex::encode(sha1(format!("{secret}{info}").as_bytes()))
                .eq_ignore_ascii_case(signature)
    };
    let admin_signed = signed_by(secrets.admin);
    if !admin_signed && !signed_by(secrets.user) {
        return Err(Refusal::InvalidStr);
    }
    let fields: Vec<&str> = info.split(';').collect();
    if fields.len() < 6 {
        return Err(Refusal::InvalidStr);
    }
    let number = |s: &str| s.trim().parse::<i64>().map_err(|_| Refusal::InvalidStr);
    Ok((
        Claims {
            partner_id: number(fields[0])?,
            expiry: number(fields[2])?,
            session_type: number(fields[3])?,
            user_id: fields[5].to_string(),
            privileges: fields.get(6).copied().unwrap_or("").to_string(),
        },
        admin_signed,
    ))
}

fn v2(rest: &[u8], secrets: &Secrets<'_>) -> Result<(Claims, bool), Refusal> {
    let bar = rest
        .iter()
        .position(|b| *b == b'|')
        .ok_or(Refusal::InvalidStr)?;
    let partner_text = std::str::from_utf8(&rest[..bar]).map_err(|_| Refusal::InvalidStr)?;
    let partner_id: i64 = partner_text.parse().map_err(|_| Refusal::InvalidStr)?;
    let encrypted = &rest[bar + 1..];
    let (fields, admin_signed) = [(secrets.admin, true), (secrets.user, false)]
        .into_iter()
        .filter(|(secret, _)| !secret.is_empty())
        .find_map(|(secret, admin)| decrypt_fields(encrypted, secret).map(|f| (f, admin)))
        .ok_or(Refusal::InvalidStr)?;
    let text = String::from_utf8_lossy(&fields);
    let mut claims = Claims {
        partner_id,
        session_type: 0,
        user_id: String::new(),
        expiry: 0,
        privileges: String::new(),
    };
    let mut privileges = Vec::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (url_decode(k), url_decode(v));
        match k.as_str() {
            "_e" => claims.expiry = v.parse().map_err(|_| Refusal::InvalidStr)?,
            "_t" => claims.session_type = v.parse().map_err(|_| Refusal::InvalidStr)?,
            "_u" => claims.user_id = v,
            // Master partner and additional data: not privileges.
            "_m" | "_d" => {}
            _ if v.is_empty() => privileges.push(k),
            _ => privileges.push(format!("{k}:{v}")),
        }
    }
    claims.privileges = privileges.join(",");
    Ok((claims, admin_signed))
}

/// Decrypts the v2 payload with one secret; `None` when its hash does not match.
fn decrypt_fields(encrypted: &[u8], secret: &str) -> Option<Vec<u8>> {
    if encrypted.is_empty() || !encrypted.len().is_multiple_of(16) {
        return None;
    }
    let key_hash = sha1(secret.as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&key_hash[..16]);
    let cipher = Aes128::new(&key.into());
    let mut plain = Vec::with_capacity(encrypted.len());
    let mut previous = [0u8; 16];
    for chunk in encrypted.chunks_exact(16) {
        let mut block = [0u8; 16];
        block.copy_from_slice(chunk);
        let mut b = block.into();
        cipher.decrypt_block(&mut b);
        let out: [u8; 16] = b.into();
        plain.extend(out.iter().zip(previous).map(|(x, p)| x ^ p));
        previous = block;
    }
    // Zero padding, removed as the server does (rtrim of NULs).
    while plain.last() == Some(&0) {
        plain.pop();
    }
    if plain.len() < 20 + 16 {
        return None;
    }
    let (hash, fields) = plain.split_at(20);
    (sha1(fields) == hash).then(|| fields[16..].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::BlockCipherEncrypt;

    const SECRETS: Secrets<'static> = Secrets {
        partner_id: 42,
        admin: "admin-s",
        user: "user-s",
    };

    fn v1_ks(secret: &str, info: &str) -> String {
        let sig = hex::encode(sha1(format!("{secret}{info}").as_bytes()));
        base64::engine::general_purpose::STANDARD.encode(format!("{sig}|{info}"))
    }

    fn v2_ks(secret: &str, partner: i64, fields: &str) -> String {
        let mut payload = vec![7u8; 16];
        payload.extend_from_slice(fields.as_bytes());
        let mut plain = sha1(&payload).to_vec();
        plain.extend(payload);
        while !plain.len().is_multiple_of(16) {
            plain.push(0);
        }
        let key_hash = sha1(secret.as_bytes());
        let mut key = [0u8; 16];
        key.copy_from_slice(&key_hash[..16]);
        let cipher = Aes128::new(&key.into());
        let mut out = format!("v2|{partner}|").into_bytes();
        let mut previous = [0u8; 16];
        for chunk in plain.chunks_exact(16) {
            let mut block = [0u8; 16];
            for i in 0..16 {
                block[i] = chunk[i] ^ previous[i];
            }
            let mut b = block.into();
            cipher.encrypt_block(&mut b);
            previous = b.into();
            out.extend_from_slice(&previous);
        }
        base64::engine::general_purpose::URL_SAFE.encode(out)
    }

    #[test]
    fn v1_is_verified_with_either_secret() {
        let ks = v1_ks("admin-s", "42;42;2000;2;123;bob;edit:0_x,setrole:7");
        let claims = verify(&ks, &SECRETS, 1000).unwrap();
        assert_eq!(claims.session_type, 2);
        assert_eq!(claims.user_id, "bob");
        assert_eq!(claims.privileges, "edit:0_x,setrole:7");
        assert!(verify(&v1_ks("user-s", "42;42;2000;0;1;u;"), &SECRETS, 1000).is_ok());
        let user_as_admin = v1_ks("user-s", "42;42;2000;2;1;u;");
        assert_eq!(
            verify(&user_as_admin, &SECRETS, 1000),
            Err(Refusal::InvalidStr)
        );
        let wrong = v1_ks("nope", "42;42;2000;2;1;u;");
        assert_eq!(verify(&wrong, &SECRETS, 1000), Err(Refusal::InvalidStr));
        let expired = v1_ks("admin-s", "42;42;999;2;1;u;");
        assert_eq!(verify(&expired, &SECRETS, 1000), Err(Refusal::Expired));
        let other = v1_ks("admin-s", "43;43;2000;2;1;u;");
        assert_eq!(verify(&other, &SECRETS, 1000), Err(Refusal::InvalidPartner));
        assert_eq!(verify("%%%", &SECRETS, 1000), Err(Refusal::InvalidStr));
    }

    #[test]
    fn v2_is_decrypted_and_its_hash_checked() {
        let ks = v2_ks(
            "admin-s",
            42,
            "disableentitlement=&_e=2000&_t=2&_u=ann&edit=0_y",
        );
        let claims = verify(&ks, &SECRETS, 1000).unwrap();
        assert_eq!(
            (claims.session_type, claims.user_id.as_str(), claims.expiry),
            (2, "ann", 2000)
        );
        assert_eq!(claims.privileges, "disableentitlement,edit:0_y");
        let user = v2_ks("user-s", 42, "_e=2000&_t=0&_u=u");
        assert_eq!(verify(&user, &SECRETS, 1000).unwrap().session_type, 0);
        let forged = v2_ks("nope", 42, "_e=2000&_t=2&_u=u");
        assert_eq!(verify(&forged, &SECRETS, 1000), Err(Refusal::InvalidStr));
        let expired = v2_ks("admin-s", 42, "_e=10&_t=2&_u=u");
        assert_eq!(verify(&expired, &SECRETS, 1000), Err(Refusal::Expired));
    }
}
