//! C2SP `signed-note` and `tlog-checkpoint`, with Ed25519 log signatures.
//!
//! A signed note is UTF-8 text, a blank line, and signature lines
//! `— <key name> <base64(key hash(4) || signature)>` (U+2014 EM DASH). The key
//! hash of an Ed25519 key is the first four bytes of
//! `SHA-256(name || 0x0A || 0x01 || public key)`; of a `cosignature/v1`
//! witness key the algorithm byte is `0x04`. A checkpoint is a note whose text
//! is the log's origin, its tree size in decimal, its root hash in base64 and
//! optional extension lines.
//!
//! Parsing is strict: a size limit, UTF-8, no control characters but newline,
//! at most [`MAX_SIGNATURES`] signature lines, each line complete, nothing
//! after the last newline.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use entente_core::{
    AuthorityId, CryptoProvider, Digest256, KeyKind, PublicKey, SignatureAlgorithm,
    SignatureEncoding, Signer,
};

use crate::error::NoteError;

/// Largest note accepted, in bytes. A checkpoint with a few dozen
/// cosignatures is well under 8 KiB; 64 KiB bounds hostile input.
pub const MAX_NOTE_BYTES: usize = 64 * 1024;

/// Most signature lines accepted (the limit of Go's `golang.org/x/mod/sumdb/note`).
pub const MAX_SIGNATURES: usize = 100;

/// Most checkpoint extension lines accepted (entente's bound).
pub const MAX_EXTENSION_LINES: usize = 32;

/// Signature-type byte of a plain Ed25519 note key (C2SP `signed-note`).
pub const ALG_ED25519: u8 = 0x01;

/// Signature-type byte of an Ed25519 `cosignature/v1` key (C2SP `tlog-cosignature`).
pub const ALG_COSIGNATURE_V1: u8 = 0x04;

const EM_DASH: &str = "\u{2014} ";

pub(crate) fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

pub(crate) fn unb64(text: &str) -> Option<Vec<u8>> {
    B64.decode(text).ok()
}

/// The 4-byte key hash of a note key (C2SP `signed-note`, "Signatures").
pub fn key_id(name: &str, algorithm: u8, key: &PublicKey) -> [u8; 4] {
    let digest = Digest256::sha256_parts(&[name.as_bytes(), b"\n", &[algorithm], key.material()]);
    let b = digest.as_bytes();
    [b[0], b[1], b[2], b[3]]
}

/// A valid key name: non-empty, no Unicode whitespace, no `+` (C2SP `signed-note`).
pub(crate) fn valid_key_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
}

/// One signature line of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The 4-byte key hash.
    pub key_id: [u8; 4],
    /// The signature bytes after the key hash.
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// The signature line, without its newline.
    pub fn to_line(&self) -> String {
        let mut blob = Vec::with_capacity(4 + self.signature.len());
        blob.extend_from_slice(&self.key_id);
        blob.extend_from_slice(&self.signature);
        format!("{EM_DASH}{} {}", self.name, b64(&blob))
    }
}

/// A parsed signed note: its text (ending in a newline) and its signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

impl Note {
    /// A note of `text` (which must end with a newline) and `signatures`.
    pub fn new(text: String, signatures: Vec<NoteSignature>) -> Result<Self, NoteError> {
        check_text(&text)?;
        if signatures.len() > MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures(MAX_SIGNATURES));
        }
        Ok(Self { text, signatures })
    }

    /// Parses a signed note strictly.
    pub fn parse(bytes: &[u8]) -> Result<Self, NoteError> {
        if bytes.len() > MAX_NOTE_BYTES {
            return Err(NoteError::TooLarge {
                len: bytes.len(),
                max: MAX_NOTE_BYTES,
            });
        }
        let all = std::str::from_utf8(bytes).map_err(|_| NoteError::NotUtf8)?;
        if all.chars().any(|c| c.is_control() && c != '\n') {
            return Err(NoteError::ControlCharacter);
        }
        let split = all.rfind("\n\n").ok_or(NoteError::MissingSeparator)?;
        let (text, rest) = all.split_at(split + 1);
        let block = rest.strip_prefix('\n').ok_or(NoteError::MissingSeparator)?;
        check_text(text)?;
        if block.is_empty() {
            return Err(NoteError::NoSignatures);
        }
        if !block.ends_with('\n') {
            return Err(NoteError::TrailingBytes);
        }
        let mut signatures = Vec::new();
        for (i, line) in block.split_terminator('\n').enumerate() {
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::TooManySignatures(MAX_SIGNATURES));
            }
            signatures
                .push(parse_signature_line(line).ok_or(NoteError::MalformedSignatureLine(i))?);
        }
        Ok(Self {
            text: text.to_owned(),
            signatures,
        })
    }

    /// The note's text, ending with a newline: what its signatures sign.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signature lines, in order.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Adds a signature line (a cosignature, say).
    pub fn push_signature(&mut self, signature: NoteSignature) -> Result<(), NoteError> {
        if self.signatures.len() >= MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures(MAX_SIGNATURES));
        }
        self.signatures.push(signature);
        Ok(())
    }

    /// The note's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.text.clone();
        out.push('\n');
        for sig in &self.signatures {
            out.push_str(&sig.to_line());
            out.push('\n');
        }
        out.into_bytes()
    }
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if text.is_empty() || !text.ends_with('\n') || text.starts_with('\n') || text.contains("\n\n") {
        return Err(NoteError::MalformedText);
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(NoteError::ControlCharacter);
    }
    Ok(())
}

fn parse_signature_line(line: &str) -> Option<NoteSignature> {
    let rest = line.strip_prefix(EM_DASH)?;
    let (name, blob) = rest.split_once(' ')?;
    if !valid_key_name(name) || blob.contains(' ') {
        return None;
    }
    let raw = unb64(blob)?;
    let (id, signature) = raw.split_first_chunk::<4>()?;
    if signature.is_empty() {
        return None;
    }
    Some(NoteSignature {
        name: name.to_owned(),
        key_id: *id,
        signature: signature.to_vec(),
    })
}

/// A checkpoint body (C2SP `tlog-checkpoint`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin line, unique per log (e.g. `example.org/log`).
    pub origin: String,
    /// The tree size.
    pub size: u64,
    /// The root hash of the tree of `size` entries.
    pub root: Digest256,
    /// Extension lines (opaque, non-empty).
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// The note text of this checkpoint.
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            b64(self.root.as_bytes())
        );
        for line in &self.extensions {
            text.push_str(line);
            text.push('\n');
        }
        text
    }

    /// Parses a checkpoint from a note's text.
    pub fn parse_text(text: &str) -> Result<Self, NoteError> {
        check_text(text)?;
        let mut lines = text.split_terminator('\n');
        let origin = lines.next().ok_or(NoteError::MissingCheckpointLine)?;
        let size = lines.next().ok_or(NoteError::MissingCheckpointLine)?;
        let root = lines.next().ok_or(NoteError::MissingCheckpointLine)?;
        if origin.is_empty() {
            return Err(NoteError::MissingCheckpointLine);
        }
        let canonical = size.bytes().all(|b| b.is_ascii_digit())
            && !size.is_empty()
            && (size == "0" || !size.starts_with('0'));
        let size: u64 =
            if canonical { size.parse().ok() } else { None }.ok_or(NoteError::MalformedSize)?;
        let root = unb64(root)
            .and_then(|r| Digest256::from_slice(&r).ok())
            .ok_or(NoteError::MalformedRootHash)?;
        let mut extensions = Vec::new();
        for line in lines {
            if line.is_empty() {
                return Err(NoteError::EmptyExtensionLine);
            }
            if extensions.len() == MAX_EXTENSION_LINES {
                return Err(NoteError::TooManyExtensionLines(MAX_EXTENSION_LINES));
            }
            extensions.push(line.to_owned());
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }
}

/// A log's identity as the rest of the crate sees it: origin, Ed25519 key and
/// the authority that certified it.
///
/// **X.509 seam.** The design binds the log key to its partner's hierarchy
/// (the `audit log` credential profile of `entente-x509`). Until that crate is
/// stable, the caller constructs a `LogIdentity` *after* validating the log's
/// certificate itself; this crate trusts the binding as given. The check is to
/// be wired in (a constructor from `entente_x509::VerifiedChain`) when
/// entente-x509 lands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogIdentity {
    /// The origin line of the log's checkpoints, also its note key name.
    pub origin: String,
    /// The log's Ed25519 public key.
    pub key: PublicKey,
    /// The authority whose hierarchy certified the key.
    pub authority: AuthorityId,
}

impl LogIdentity {
    /// The identity of the log whose Ed25519 key `chain` certifies under
    /// `profile` (normally the audit-log profile); the authority is the
    /// chain's anchor. This is the binding of a log key to its partner's
    /// X.509 hierarchy.
    pub fn from_chain(
        origin: &str,
        chain: &entente_x509::VerifiedChain,
        profile: &dyn entente_x509::CredentialProfile,
    ) -> Result<Self, NoteError> {
        check_profile(chain, profile)?;
        Self::new(origin, chain.leaf_key().clone(), chain.anchor())
    }

    /// A log identity; fails unless `key` is Ed25519 and `origin` a valid key name.
    pub fn new(origin: &str, key: PublicKey, authority: AuthorityId) -> Result<Self, NoteError> {
        if key.kind() != KeyKind::Ed25519 {
            return Err(NoteError::NotEd25519);
        }
        if !valid_key_name(origin) {
            return Err(NoteError::MalformedKeyName);
        }
        Ok(Self {
            origin: origin.to_owned(),
            key,
            authority,
        })
    }

    /// The note key hash of the log key.
    pub fn key_id(&self) -> [u8; 4] {
        key_id(&self.origin, ALG_ED25519, &self.key)
    }

    /// The verifier key in the `name+hash+base64` text form of C2SP `signed-note`.
    pub fn vkey(&self) -> String {
        vkey(&self.origin, ALG_ED25519, &self.key)
    }

    /// Verifies a signed checkpoint against this log's key and origin.
    pub fn verify(
        &self,
        provider: &dyn CryptoProvider,
        note: &[u8],
    ) -> Result<VerifiedCheckpoint, NoteError> {
        let note = Note::parse(note)?;
        self.verify_note(provider, note)
    }

    /// Verifies an already parsed note.
    pub fn verify_note(
        &self,
        provider: &dyn CryptoProvider,
        note: Note,
    ) -> Result<VerifiedCheckpoint, NoteError> {
        let checkpoint = Checkpoint::parse_text(note.text())?;
        if checkpoint.origin != self.origin {
            return Err(NoteError::WrongOrigin);
        }
        let id = self.key_id();
        let mut matching = note
            .signatures()
            .iter()
            .filter(|s| s.name == self.origin && s.key_id == id)
            .peekable();
        if matching.peek().is_none() {
            return Err(NoteError::MissingSignature);
        }
        for sig in matching {
            provider
                .verify(
                    SignatureAlgorithm::Ed25519,
                    SignatureEncoding::Fixed,
                    &self.key,
                    note.text().as_bytes(),
                    &sig.signature,
                )
                .map_err(NoteError::BadSignature)?;
        }
        Ok(VerifiedCheckpoint { checkpoint, note })
    }
}

/// The `name+hash+base64(alg || key)` verifier-key text (C2SP `signed-note`).
pub fn vkey(name: &str, algorithm: u8, key: &PublicKey) -> String {
    let mut blob = vec![algorithm];
    blob.extend_from_slice(key.material());
    let id = key_id(name, algorithm, key);
    format!(
        "{name}+{:02x}{:02x}{:02x}{:02x}+{}",
        id[0],
        id[1],
        id[2],
        id[3],
        b64(&blob)
    )
}

/// A checkpoint whose log signature verified; only [`LogIdentity::verify`]
/// makes one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedCheckpoint {
    checkpoint: Checkpoint,
    note: Note,
}

impl VerifiedCheckpoint {
    /// The checkpoint.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// The signed note, with every signature line it arrived with.
    pub fn note(&self) -> &Note {
        &self.note
    }
}

/// Signs `checkpoint` as the log `name` with an Ed25519 `signer`.
pub fn sign_checkpoint(checkpoint: &Checkpoint, signer: &dyn Signer) -> Result<Note, NoteError> {
    if signer.algorithm() != SignatureAlgorithm::Ed25519 {
        return Err(NoteError::NotEd25519);
    }
    if !valid_key_name(&checkpoint.origin) {
        return Err(NoteError::MalformedKeyName);
    }
    let text = checkpoint.to_text();
    Checkpoint::parse_text(&text)?;
    let signature = signer
        .sign(text.as_bytes(), SignatureEncoding::Fixed)
        .map_err(NoteError::Signing)?;
    let sig = NoteSignature {
        name: checkpoint.origin.clone(),
        key_id: key_id(&checkpoint.origin, ALG_ED25519, signer.public_key()),
        signature,
    };
    Note::new(text, vec![sig])
}

/// Checks that `chain` satisfied `profile`.
pub(crate) fn check_profile(
    chain: &entente_x509::VerifiedChain,
    profile: &dyn entente_x509::CredentialProfile,
) -> Result<(), NoteError> {
    if chain.profile() == profile.name() {
        Ok(())
    } else {
        Err(NoteError::Profile {
            expected: profile.name().to_owned(),
            found: chain.profile().to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entente_core::{KeyKind, SigningKey, default_provider};

    fn identity() -> (SigningKey, LogIdentity) {
        let key = SigningKey::derive_from_seed(KeyKind::Ed25519, b"t", "log").unwrap();
        let id = LogIdentity::new(
            "example.org/log",
            key.public_key().clone(),
            AuthorityId::from_digest(Digest256::sha256(b"a")),
        )
        .unwrap();
        (key, id)
    }

    fn signed() -> Vec<u8> {
        let (key, _) = identity();
        let cp = Checkpoint {
            origin: "example.org/log".into(),
            size: 7,
            root: Digest256::sha256(b"r"),
            extensions: vec!["ext line".into()],
        };
        sign_checkpoint(&cp, &key).unwrap().to_bytes()
    }

    fn reject(bytes: &[u8]) -> NoteError {
        let (_, id) = identity();
        id.verify(default_provider(), bytes).unwrap_err()
    }

    #[test]
    fn signed_checkpoint_round_trips_and_verifies() {
        let (_, id) = identity();
        let bytes = signed();
        let v = id.verify(default_provider(), &bytes).unwrap();
        assert_eq!(v.checkpoint().size, 7);
        assert_eq!(v.note().to_bytes(), bytes);
    }

    #[test]
    fn note_without_separator_rejected() {
        assert_eq!(reject(b"a\n1\nAAAA\n"), NoteError::MissingSeparator);
    }

    #[test]
    fn note_without_signatures_rejected() {
        assert_eq!(Note::parse(b"a\n\n").unwrap_err(), NoteError::NoSignatures);
    }

    #[test]
    fn note_with_trailing_garbage_rejected() {
        let mut b = signed();
        b.extend_from_slice(b"garbage");
        assert_eq!(reject(&b), NoteError::TrailingBytes);
    }

    #[test]
    fn note_with_invalid_utf8_rejected() {
        let mut b = signed();
        b.insert(0, 0xff);
        assert_eq!(reject(&b), NoteError::NotUtf8);
    }

    #[test]
    fn note_with_control_character_rejected() {
        let mut b = signed();
        b.insert(0, b'\r');
        assert_eq!(reject(&b), NoteError::ControlCharacter);
    }

    #[test]
    fn oversized_note_rejected() {
        let b = vec![b'a'; MAX_NOTE_BYTES + 1];
        assert!(matches!(reject(&b), NoteError::TooLarge { .. }));
    }

    #[test]
    fn note_with_too_many_signatures_rejected() {
        let mut b = signed();
        let line = b"\xe2\x80\x94 w AAAAAAAA\n";
        for _ in 0..MAX_SIGNATURES {
            b.extend_from_slice(line);
        }
        assert_eq!(reject(&b), NoteError::TooManySignatures(MAX_SIGNATURES));
    }

    #[test]
    fn malformed_signature_line_rejected() {
        let mut b = signed();
        b.extend_from_slice(b"- w AAAAAAAA\n");
        assert_eq!(reject(&b), NoteError::MalformedSignatureLine(1));
    }

    #[test]
    fn non_canonical_tree_size_rejected() {
        assert_eq!(
            Checkpoint::parse_text("o\n07\nAAAA\n").unwrap_err(),
            NoteError::MalformedSize
        );
        assert_eq!(
            Checkpoint::parse_text("o\n+7\nx\n").unwrap_err(),
            NoteError::MalformedSize
        );
    }

    #[test]
    fn short_root_hash_rejected() {
        assert_eq!(
            Checkpoint::parse_text("o\n7\nAAAA\n").unwrap_err(),
            NoteError::MalformedRootHash
        );
    }

    #[test]
    fn checkpoint_missing_lines_rejected() {
        assert_eq!(
            Checkpoint::parse_text("o\n7\n").unwrap_err(),
            NoteError::MissingCheckpointLine
        );
    }

    #[test]
    fn empty_extension_line_rejected() {
        let root = b64(&[0u8; 32]);
        assert_eq!(
            Checkpoint::parse_text(&format!("o\n1\n{root}\na\n\n")).unwrap_err(),
            NoteError::MalformedText
        );
    }

    #[test]
    fn too_many_extension_lines_rejected() {
        let root = b64(&[0u8; 32]);
        let ext = "x\n".repeat(MAX_EXTENSION_LINES + 1);
        assert_eq!(
            Checkpoint::parse_text(&format!("o\n1\n{root}\n{ext}")).unwrap_err(),
            NoteError::TooManyExtensionLines(MAX_EXTENSION_LINES)
        );
    }

    #[test]
    fn signature_by_other_key_rejected() {
        let other = SigningKey::derive_from_seed(KeyKind::Ed25519, b"t", "other").unwrap();
        let cp = Checkpoint::parse_text(Note::parse(&signed()).unwrap().text()).unwrap();
        let forged = sign_checkpoint(&cp, &other).unwrap().to_bytes();
        assert_eq!(reject(&forged), NoteError::MissingSignature);
    }

    #[test]
    fn tampered_checkpoint_signature_rejected() {
        let text = String::from_utf8(signed())
            .unwrap()
            .replacen("\n7\n", "\n8\n", 1);
        assert!(matches!(
            reject(text.as_bytes()),
            NoteError::BadSignature(_)
        ));
    }

    #[test]
    fn wrong_origin_rejected() {
        let other = SigningKey::derive_from_seed(KeyKind::Ed25519, b"t", "log").unwrap();
        let cp = Checkpoint {
            origin: "example.org/other".into(),
            size: 1,
            root: Digest256::sha256(b"r"),
            extensions: vec![],
        };
        let b = sign_checkpoint(&cp, &other).unwrap().to_bytes();
        assert_eq!(reject(&b), NoteError::WrongOrigin);
    }

    #[test]
    fn key_id_matches_signed_note_definition() {
        let (key, id) = identity();
        let mut msg = b"example.org/log\n\x01".to_vec();
        msg.extend_from_slice(key.public_key().material());
        assert_eq!(&id.key_id(), &Digest256::sha256(&msg).as_bytes()[..4]);
    }
}
