//! A thin, safe layer over the libclang C API (through clang-sys): loading the library,
//! translation units, tokens and diagnostics here, cursors and types in `cursor.rs`. Every
//! `unsafe` block that talks to libclang lives in these two files.

mod cursor;

pub use cursor::{ClangType, Cursor, SourcePosition};

use clang_sys::*;
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_uint, c_void};
use std::path::Path;

/// The libclang major version we are written and tested against.
pub const REQUIRED_MAJOR: u32 = 19;

/// The libclang loaded by the first successful [`load`], shared with later threads: clang-sys
/// keeps the library per thread, and resolving its few hundred functions again for every
/// parse thread costs about 20 ms.
static LOADED: std::sync::Mutex<Option<std::sync::Arc<clang_sys::SharedLibrary>>> =
    std::sync::Mutex::new(None);

/// Makes libclang available to the current thread and checks its version. Loads it the first
/// time (preferring Debian's `/usr/lib/llvm-19/lib` unless `LIBCLANG_PATH` says otherwise);
/// later calls, on any thread, reuse that library.
pub fn load() -> Result<(), String> {
    if clang_sys::is_loaded() {
        return Ok(());
    }
    let mut shared = LOADED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(library) = shared.as_ref() {
        clang_sys::set_library(Some(library.clone()));
        return Ok(());
    }
    if std::env::var_os("LIBCLANG_PATH").is_none() {
        let debian = Path::new("/usr/lib/llvm-19/lib");
        if debian.join("libclang.so.1").exists() || debian.join("libclang-19.so.1").exists() {
            std::env::set_var("LIBCLANG_PATH", debian);
        }
    }
    clang_sys::load().map_err(|reason| {
        format!(
            "libclang {REQUIRED_MAJOR} could not be loaded: {reason}\n\
             install it with `apt-get install libclang-{REQUIRED_MAJOR}-dev`, \
             or point LIBCLANG_PATH at the directory holding libclang.so"
        )
    })?;
    let version = version();
    let major = parse_major_version(&version);
    if major != Some(REQUIRED_MAJOR) {
        let _ = clang_sys::unload();
        return Err(format!(
            "found `{version}`, but libclang {REQUIRED_MAJOR} is required: \
             install it with `apt-get install libclang-{REQUIRED_MAJOR}-dev` \
             or set LIBCLANG_PATH=/usr/lib/llvm-{REQUIRED_MAJOR}/lib"
        ));
    }
    *shared = clang_sys::get_library();
    Ok(())
}

/// `clang_getClangVersion`, e.g. "Debian clang version 19.1.7 (3~deb12u1)".
pub fn version() -> String {
    // SAFETY: libclang is loaded; the returned CXString is owned and disposed by `take`.
    unsafe { take(clang_getClangVersion()) }
}

/// The major number after "clang version ".
pub fn parse_major_version(version: &str) -> Option<u32> {
    let rest = &version[version.find("clang version ")? + "clang version ".len()..];
    rest.split('.').next()?.parse().ok()
}

/// Converts and frees a CXString.
///
/// # Safety
/// `s` must be a valid CXString returned by libclang and not yet disposed.
unsafe fn take(s: CXString) -> String {
    let ptr = clang_getCString(s);
    let text = if ptr.is_null() {
        String::new()
    } else {
        CStr::from_ptr(ptr).to_string_lossy().into_owned()
    };
    clang_disposeString(s);
    text
}

pub struct Index(CXIndex);

impl Index {
    pub fn new() -> Index {
        // SAFETY: plain constructor; disposed in Drop.
        Index(unsafe { clang_createIndex(0, 0) })
    }
}

impl Drop for Index {
    fn drop(&mut self) {
        // SAFETY: created by clang_createIndex, disposed once.
        unsafe { clang_disposeIndex(self.0) }
    }
}

pub struct TranslationUnit<'i> {
    tu: CXTranslationUnit,
    _index: &'i Index,
    /// Every `#define` of the translation unit by name (the last one wins), built the first
    /// time a macro is looked up by name.
    macros: std::cell::OnceCell<std::collections::HashMap<String, CXCursor>>,
}

/// A diagnostic reduced to what we report.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub is_error: bool,
    pub file: Option<String>,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl<'i> TranslationUnit<'i> {
    /// Parses `main_name`, whose text is `main_text` (kept in memory), with `args`.
    pub fn parse(
        index: &'i Index,
        main_name: &str,
        main_text: &str,
        args: &[String],
    ) -> Result<TranslationUnit<'i>, String> {
        let c_name = CString::new(main_name).map_err(|e| e.to_string())?;
        let c_text = CString::new(main_text).map_err(|e| e.to_string())?;
        let c_args: Vec<CString> = args
            .iter()
            .map(|a| CString::new(a.as_str()).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?;
        let arg_ptrs: Vec<*const c_char> = c_args.iter().map(|a| a.as_ptr()).collect();
        let mut unsaved = CXUnsavedFile {
            Filename: c_name.as_ptr(),
            Contents: c_text.as_ptr(),
            Length: main_text.len() as _,
        };
        let mut tu: CXTranslationUnit = std::ptr::null_mut();
        let options = CXTranslationUnit_DetailedPreprocessingRecord
            | CXTranslationUnit_SkipFunctionBodies
            | CXTranslationUnit_KeepGoing;
        // SAFETY: every pointer outlives the call; libclang copies what it keeps.
        let code = unsafe {
            clang_parseTranslationUnit2(
                index.0,
                c_name.as_ptr(),
                arg_ptrs.as_ptr(),
                arg_ptrs.len() as _,
                &mut unsaved,
                1,
                options,
                &mut tu,
            )
        };
        if code != CXError_Success || tu.is_null() {
            return Err(match code {
                // libclang's own crash recovery caught a crash inside the parser.
                CXError_Crashed => "libclang crashed while parsing (it recovered and reported \
                                    CXError_Crashed); the header triggers a libclang bug"
                    .to_string(),
                CXError_InvalidArguments => {
                    format!(
                        "libclang rejected the compiler arguments: {}",
                        args.join(" ")
                    )
                }
                _ => format!("libclang failed to parse (error code {code})"),
            });
        }
        Ok(TranslationUnit {
            tu,
            _index: index,
            macros: std::cell::OnceCell::new(),
        })
    }

    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        // SAFETY: the TU is alive; each diagnostic is disposed after use.
        unsafe {
            for i in 0..clang_getNumDiagnostics(self.tu) {
                let diag = clang_getDiagnostic(self.tu, i);
                let severity = clang_getDiagnosticSeverity(diag);
                let (file, line, column, _) = spelling_location(clang_getDiagnosticLocation(diag));
                out.push(Diagnostic {
                    is_error: severity >= CXDiagnostic_Error,
                    file,
                    line,
                    column,
                    message: take(clang_getDiagnosticSpelling(diag)),
                });
                clang_disposeDiagnostic(diag);
            }
        }
        out
    }

    /// The file `path` as this TU knows it, if it was read.
    pub fn file(&self, path: &str) -> Option<SourceFile<'_>> {
        let c_path = CString::new(path).ok()?;
        // SAFETY: the TU is alive and the path a valid C string for the call.
        let raw = unsafe { clang_getFile(self.tu, c_path.as_ptr()) };
        (!raw.is_null()).then_some(SourceFile {
            raw,
            _tu: std::marker::PhantomData,
        })
    }

    pub fn root(&self) -> Cursor<'_> {
        // SAFETY: the TU is alive for 'self.
        Cursor {
            raw: unsafe { clang_getTranslationUnitCursor(self.tu) },
            tu: self,
        }
    }

    /// `cursor`'s extent in the file. A declaration that begins or ends inside a macro
    /// expansion (`VOID (WINAPI * done)(DWORD)` begins with the macro VOID) has an extent
    /// clang_tokenize returns nothing for; the expansion locations of its ends do not.
    /// Most extents are file locations already (spelled where they expand) and are kept:
    /// `clang_getLocationForOffset` looks the file up among all of the TU's source
    /// locations, which windows.h's macro expansions make the walk's largest cost.
    ///
    /// # Safety
    /// `cursor` must belong to this TU.
    unsafe fn file_extent(&self, cursor: &Cursor<'_>) -> CXSourceRange {
        let extent = clang_getCursorExtent(cursor.raw);
        let (start_at, end_at) = (clang_getRangeStart(extent), clang_getRangeEnd(extent));
        let (start_file, _, _, start) = expansion(start_at);
        let (end_file, _, _, end) = expansion(end_at);
        if start_file.is_null() || clang_File_isEqual(start_file, end_file) == 0 {
            return extent;
        }
        if is_file_location(start_at, start_file, start) && is_file_location(end_at, end_file, end)
        {
            return extent;
        }
        clang_getRange(
            clang_getLocationForOffset(self.tu, start_file, start),
            clang_getLocationForOffset(self.tu, end_file, end),
        )
    }

    /// Calls `visit` with each token inside `cursor`'s extent, then frees them.
    fn for_each_token(&self, cursor: &Cursor<'_>, mut visit: impl FnMut(CXToken)) {
        // SAFETY: the extent comes from a cursor of this TU; the tokens are used only during
        // the visit and disposed after it.
        unsafe {
            let range = self.file_extent(cursor);
            let mut tokens: *mut CXToken = std::ptr::null_mut();
            let mut count: c_uint = 0;
            clang_tokenize(self.tu, range, &mut tokens, &mut count);
            for i in 0..count as usize {
                visit(*tokens.add(i));
            }
            if !tokens.is_null() {
                clang_disposeTokens(self.tu, tokens, count);
            }
        }
    }

    /// The tokens inside `cursor`'s extent, each with the definition of the macro it
    /// expands when it names one.
    pub fn expanded_tokens(&self, cursor: &Cursor<'_>) -> Vec<(Token, Option<Cursor<'_>>)> {
        let mut out = Vec::new();
        self.for_each_token(cursor, |token| {
            // SAFETY: a token of this live TU, during the visit.
            unsafe {
                let Some(spelled) = self.token(token) else {
                    return;
                };
                let mut definition = None;
                if spelled.kind == TokenKind::Identifier {
                    let at = clang_getCursor(self.tu, clang_getTokenLocation(self.tu, token));
                    if clang_getCursorKind(at) == CXCursor_MacroExpansion {
                        let referenced = clang_getCursorReferenced(at);
                        if clang_Cursor_isNull(referenced) == 0
                            && clang_getCursorKind(referenced) == CXCursor_MacroDefinition
                        {
                            definition = Some(Cursor {
                                raw: referenced,
                                tu: self,
                            });
                        }
                    }
                }
                out.push((spelled, definition));
            }
        });
        out
    }

    /// `#undef NAME` directives of `file` outside the regions the preprocessor skipped
    /// (`#if 0`), as (name, byte offset), in order. libclang has no cursor for `#undef`, so
    /// they are read from the file's tokens: a `#` first on its line, then `undef`, then a
    /// name on the same line.
    pub fn undefs(&self, file: SourceFile<'_>, length: usize) -> Vec<(String, u32)> {
        let mut out = Vec::new();
        // SAFETY: the file belongs to this live TU; the skipped ranges and the tokens are
        // disposed after use.
        unsafe {
            let skipped_list = clang_getSkippedRanges(self.tu, file.raw);
            let mut skipped = Vec::new();
            if !skipped_list.is_null() {
                let list = &*skipped_list;
                for i in 0..list.count as usize {
                    let range = *list.ranges.add(i);
                    let (_, _, _, start) = expansion(clang_getRangeStart(range));
                    let (_, _, _, end) = expansion(clang_getRangeEnd(range));
                    skipped.push(start..=end);
                }
                clang_disposeSourceRangeList(skipped_list);
            }
            let range = clang_getRange(
                clang_getLocationForOffset(self.tu, file.raw, 0),
                clang_getLocationForOffset(self.tu, file.raw, length as c_uint),
            );
            let mut tokens: *mut CXToken = std::ptr::null_mut();
            let mut count: c_uint = 0;
            clang_tokenize(self.tu, range, &mut tokens, &mut count);
            let mut read: Vec<(Token, u32, u32)> = Vec::new();
            for i in 0..count as usize {
                let token = *tokens.add(i);
                let (_, line, _, offset) = expansion(clang_getTokenLocation(self.tu, token));
                if skipped.iter().any(|r| r.contains(&offset)) {
                    continue;
                }
                if let Some(spelled) = self.token(token) {
                    read.push((spelled, line, offset));
                }
            }
            if !tokens.is_null() {
                clang_disposeTokens(self.tu, tokens, count);
            }
            for (i, window) in read.windows(3).enumerate() {
                let [(hash, line, offset), (undef, undef_line, _), (name, name_line, _)] = window
                else {
                    continue;
                };
                let first_on_line = i == 0 || read[i - 1].1 < *line;
                if hash.text == "#"
                    && first_on_line
                    && undef.text == "undef"
                    && *undef_line == *line
                    && *name_line == *line
                    && name.kind == TokenKind::Identifier
                {
                    out.push((name.text.clone(), *offset));
                }
            }
        }
        out
    }

    /// A token's kind and spelling; `None` for comments.
    ///
    /// # Safety
    /// `token` must belong to this live TU.
    unsafe fn token(&self, token: CXToken) -> Option<Token> {
        let kind = match clang_getTokenKind(token) {
            CXToken_Punctuation => TokenKind::Punctuation,
            CXToken_Keyword => TokenKind::Keyword,
            CXToken_Identifier => TokenKind::Identifier,
            CXToken_Literal => TokenKind::Literal,
            _ => return None,
        };
        Some(Token {
            kind,
            text: take(clang_getTokenSpelling(self.tu, token)),
        })
    }

    /// The last `#define name` of the translation unit, if any (one scan of every
    /// top-level cursor builds the index, the first time).
    pub fn macro_definition(&self, name: &str) -> Option<Cursor<'_>> {
        let index = self.macros.get_or_init(|| {
            let mut index = std::collections::HashMap::new();
            for cursor in self.root().children() {
                if cursor.kind() == CXCursor_MacroDefinition {
                    index.insert(cursor.spelling(), cursor.raw);
                }
            }
            index
        });
        index.get(name).map(|&raw| Cursor { raw, tu: self })
    }

    /// Spellings of the tokens written after `before` and before `cursor`, in the same file:
    /// after `before`'s end, or after its start when `enclosing` (a class and its first
    /// member). This is what a declaration's extent leaves out in front of it: SAL written
    /// before `virtual` expands to nothing, so clang starts the method at `virtual`, yet MSVC
    /// applies the annotation.
    pub fn tokens_between(
        &self,
        before: &Cursor<'_>,
        enclosing: bool,
        cursor: &Cursor<'_>,
    ) -> Vec<Token> {
        let mut out = Vec::new();
        // SAFETY: both extents come from cursors of this TU; the tokens are used only here
        // and disposed after.
        unsafe {
            let (outer, inner) = (self.file_extent(before), self.file_extent(cursor));
            let from = if enclosing {
                clang_getRangeStart(outer)
            } else {
                clang_getRangeEnd(outer)
            };
            let to = clang_getRangeStart(inner);
            let (from_file, _, _, from_offset) = expansion(from);
            let (to_file, _, _, to_offset) = expansion(to);
            if from_file.is_null()
                || clang_File_isEqual(from_file, to_file) == 0
                || from_offset >= to_offset
            {
                return out;
            }
            let mut tokens: *mut CXToken = std::ptr::null_mut();
            let mut count: c_uint = 0;
            clang_tokenize(self.tu, clang_getRange(from, to), &mut tokens, &mut count);
            for i in 0..count as usize {
                let token = *tokens.add(i);
                let (_, _, _, at) = expansion(clang_getTokenLocation(self.tu, token));
                // The range's ends are tokens of the two cursors themselves.
                let inside = if enclosing {
                    at > from_offset
                } else {
                    at >= from_offset
                };
                if inside && at < to_offset {
                    out.extend(self.token(token));
                }
            }
            if !tokens.is_null() {
                clang_disposeTokens(self.tu, tokens, count);
            }
        }
        out
    }

    /// Spellings of the tokens inside `cursor`'s extent.
    pub fn tokens(&self, cursor: &Cursor<'_>) -> Vec<Token> {
        let mut out = Vec::new();
        self.for_each_token(cursor, |token| {
            // SAFETY: a token of this live TU, during the visit.
            out.extend(unsafe { self.token(token) });
        });
        out
    }
}

impl Drop for TranslationUnit<'_> {
    fn drop(&mut self) {
        // SAFETY: created by clang_parseTranslationUnit2, disposed once.
        unsafe { clang_disposeTranslationUnit(self.tu) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Punctuation,
    Keyword,
    Identifier,
    Literal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub text: String,
}

/// (file, line, column, byte offset) of a location's spelling.
///
/// # Safety
/// `location` must come from a live translation unit.
unsafe fn spelling_location(location: CXSourceLocation) -> (Option<String>, u32, u32, u32) {
    let (file, line, column, offset) = expansion(location);
    let name = if file.is_null() {
        None
    } else {
        Some(take(clang_getFileName(file)))
    };
    (name, line, column, offset)
}

/// A source file of one translation unit, compared by identity rather than by name: the walk
/// asks "is this cursor in the input header?" for every top-level cursor of windows.h, and
/// a name comparison would convert a file name to a string each time.
#[derive(Clone, Copy)]
pub struct SourceFile<'t> {
    raw: CXFile,
    _tu: std::marker::PhantomData<&'t ()>,
}

impl PartialEq for SourceFile<'_> {
    fn eq(&self, other: &Self) -> bool {
        // SAFETY: both handles come from the same live TU.
        unsafe { clang_File_isEqual(self.raw, other.raw) != 0 }
    }
}

/// (file, line, column, byte offset) where `location` was expanded; the file is null for
/// built-ins and the command line.
///
/// # Safety
/// `location` must come from a live translation unit.
/// Whether `location` is where it expands (`file`, `offset`): spelled there, not inside a
/// macro.
unsafe fn is_file_location(location: CXSourceLocation, file: CXFile, offset: u32) -> bool {
    let mut spelled_file: CXFile = std::ptr::null_mut();
    let (mut line, mut column, mut spelled_offset) = (0, 0, 0);
    clang_getSpellingLocation(
        location,
        &mut spelled_file,
        &mut line,
        &mut column,
        &mut spelled_offset,
    );
    spelled_offset == offset && clang_File_isEqual(spelled_file, file) != 0
}

unsafe fn expansion(location: CXSourceLocation) -> (CXFile, u32, u32, u32) {
    let mut file: CXFile = std::ptr::null_mut();
    let (mut line, mut column, mut offset) = (0, 0, 0);
    clang_getExpansionLocation(location, &mut file, &mut line, &mut column, &mut offset);
    (file, line, column, offset)
}
