//! The front end: parses a header with libclang for an MSVC target and turns what the header
//! itself declares into the IR. Declarations from other headers (windows.h, http.h, our
//! shims) are used for types but not emitted.

// libclang's constants keep their C names.
#![allow(non_upper_case_globals)]

mod clang;
mod classes;
mod conventions;
mod declarations;
pub mod macros;
pub mod sal;
mod sal_macros;
mod sal_words;
pub mod tokens;
mod types;
pub mod worker;

pub use clang::{parse_major_version, REQUIRED_MAJOR};

use crate::error::{Error, Result};
use crate::ir::{Api, Location, Type, TypeKind};
use crate::toolchain::{self, IncludeSetup, Target, ToolchainError};
use clang::{Cursor, Index, SourceFile, SourcePosition, TranslationUnit};
use clang_sys::*;
use macros::Integer;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What to parse and how.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParseOptions {
    pub header: PathBuf,
    pub target: Target,
    pub includes: IncludeSetup,
    /// Where libclang runs; a worker always parses on its own thread.
    #[serde(skip)]
    pub isolation: Isolation,
}

impl ParseOptions {
    /// How every task parses a header: x86_64 MSVC, Debian's clang and mingw-w64 headers,
    /// this repository's shims, on a thread of this process.
    pub fn debian(header: impl Into<PathBuf>) -> ParseOptions {
        ParseOptions {
            header: header.into(),
            target: Target::X86_64,
            includes: IncludeSetup::debian(),
            isolation: Isolation::Thread,
        }
    }

    /// The same options, parsing where `isolation` says.
    pub fn isolated(self, isolation: Isolation) -> ParseOptions {
        ParseOptions { isolation, ..self }
    }
}

/// Where libclang runs. A crash inside libclang takes down the process it runs in; a hang
/// holds its thread. Tools that must survive both (`cargo xtask`) use a child process.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Isolation {
    /// In this process, on a helper thread: hangs become errors, crashes do not.
    #[default]
    Thread,
    /// In a child process `program __parse-worker` that calls [`worker::serve`]: hangs are
    /// killed and crashes become errors.
    ChildProcess { program: PathBuf },
}

/// Reads the header file, reporting unreadable input as one clear error.
pub fn read_header(path: &Path) -> Result<Vec<u8>> {
    let input_error = |reason: String| Error::Input {
        path: path.display().to_string(),
        reason,
    };
    let metadata = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => input_error("no such file".into()),
        _ => input_error(format!("cannot read: {e}")),
    })?;
    if metadata.is_dir() {
        return Err(input_error(
            "is a directory; give the path of a header file".into(),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| input_error(format!("cannot read: {e}")))?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(input_error(
            "is empty; expected a C++ header declaring IIS interfaces".into(),
        ));
    }
    if bytes.contains(&0) || std::str::from_utf8(&bytes).is_err() {
        return Err(input_error(
            "is not a text file (binary data or invalid UTF-8)".into(),
        ));
    }
    Ok(bytes)
}

/// How long libclang may take before we give up on hostile input (seconds);
/// `HTTPSERV_RS_PARSE_TIMEOUT` overrides it.
pub const DEFAULT_PARSE_TIMEOUT_SECS: u64 = 120;

/// Parses `options.header` and returns the API it declares. The parse runs where
/// `options.isolation` says, bounded by the time limit, so that a libclang hang becomes an
/// error instead of a hung `regen` (and, in a child process, so does a crash).
pub fn parse(options: &ParseOptions) -> Result<Api> {
    // The prelude names the header in an `#include` line, which is text.
    if options.header.to_str().is_none() {
        return Err(Error::Input {
            path: options.header.display().to_string(),
            reason: "the path is not valid UTF-8, and libclang is given it as text: rename \
                     the file or copy it to a UTF-8 path"
                .into(),
        });
    }
    let limit = std::env::var("HTTPSERV_RS_PARSE_TIMEOUT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_PARSE_TIMEOUT_SECS);
    let limit = std::time::Duration::from_secs(limit);
    match &options.isolation {
        Isolation::Thread => parse_on_a_thread(options, limit),
        Isolation::ChildProcess { program } => worker::parse_in_child(options, program, limit),
    }
}

fn time_limit_error(options: &ParseOptions, limit: std::time::Duration) -> Error {
    Error::Input {
        path: options.header.display().to_string(),
        reason: format!(
            "libclang did not finish parsing within {} s (set HTTPSERV_RS_PARSE_TIMEOUT to \
             allow longer)",
            limit.as_secs()
        ),
    }
}

fn parse_on_a_thread(options: &ParseOptions, limit: std::time::Duration) -> Result<Api> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let owned = options.clone();
    std::thread::Builder::new()
        .name("libclang-parse".into())
        .spawn(move || {
            let _ = sender.send(parse_on_this_thread(&owned));
        })
        .map_err(|e| {
            Error::Toolchain(ToolchainError::Libclang(format!(
                "cannot start the parser thread: {e}"
            )))
        })?;
    match receiver.recv_timeout(limit) {
        Ok(result) => result,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(time_limit_error(options, limit)),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            Err(Error::Toolchain(ToolchainError::Libclang(
                "the libclang parser thread stopped without an answer (libclang crashed?)".into(),
            )))
        }
    }
}

fn parse_on_this_thread(options: &ParseOptions) -> Result<Api> {
    let source = read_header(&options.header)?;
    clang::load().map_err(|e| Error::Toolchain(ToolchainError::Libclang(e)))?;
    options.includes.check(options.target)?;
    let absolute = std::path::absolute(&options.header).map_err(|e| Error::Input {
        path: options.header.display().to_string(),
        reason: e.to_string(),
    })?;
    let args = toolchain::compiler_args(&options.includes, options.target);
    let index = Index::new();
    let prelude_name = "httpserv-rs-prelude.cpp";
    let tu = TranslationUnit::parse(
        &index,
        prelude_name,
        &toolchain::prelude(&absolute.display().to_string()),
        &args,
    )
    .map_err(|e| Error::Toolchain(ToolchainError::Libclang(e)))?;

    let absolute_text = absolute.display().to_string();
    let shown = |file: &Option<String>| match file {
        Some(f) if *f == absolute_text => options.header.display().to_string(),
        Some(f) => f.clone(),
        None => "<command line>".into(),
    };
    let errors: Vec<String> = tu
        .diagnostics()
        .into_iter()
        .filter(|d| d.is_error)
        .map(|d| format!("{}:{}:{}: {}", shown(&d.file), d.line, d.column, d.message))
        .collect();
    if let Some(first) = errors.first() {
        let more = match errors.len() {
            1 => String::new(),
            n => format!(
                " (and {} more error{})",
                n - 1,
                if n > 2 { "s" } else { "" }
            ),
        };
        return Err(Error::Compile {
            first: first.clone(),
            more,
        });
    }

    let source_name = options
        .header
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let walker = Walker {
        input_file: absolute_text,
        shown_path: options.header.display().to_string(),
        source_name: source_name.clone(),
        source,
    };
    let mut api = walker.walk(&tu)?;
    api.source = source_name;
    api.opaque_types = collect_opaque(&api);
    Ok(api)
}

/// Walks the translation unit, keeping what the input header declares.
pub(crate) struct Walker {
    input_file: String,
    shown_path: String,
    source_name: String,
    source: Vec<u8>,
}

impl Walker {
    fn is_in_input(&self, position: &SourcePosition) -> bool {
        position.file.as_deref() == Some(self.input_file.as_str())
    }

    fn location(&self, cursor: &Cursor<'_>) -> Location {
        let position = cursor.position();
        let file = if self.is_in_input(&position) {
            self.source_name.clone()
        } else {
            position
                .file
                .as_deref()
                .and_then(|f| Path::new(f).file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        Location {
            file,
            line: position.line,
            column: position.column,
        }
    }

    /// An error located at `cursor`, with the path as the user gave it.
    fn unsupported(&self, cursor: &Cursor<'_>, message: String) -> Error {
        let position = cursor.position();
        let file = if self.is_in_input(&position) {
            self.shown_path.clone()
        } else {
            position.file.unwrap_or_default()
        };
        Error::Unsupported {
            location: format!("{file}:{}:{}", position.line, position.column),
            message,
        }
    }

    fn walk(&self, tu: &TranslationUnit<'_>) -> Result<Api> {
        let Some(input) = tu.file(&self.input_file) else {
            return Ok(Api::default());
        };
        let mut state = WalkState {
            api: Api::default(),
            known: BTreeMap::new(),
            undefs: tu.undefs(input, self.source.len()),
            applied: 0,
        };
        self.walk_scope(&tu.root(), input, &mut state)?;
        state.apply_undefs(u32::MAX);
        Ok(state.api)
    }

    fn walk_scope<'t>(
        &self,
        scope: &Cursor<'t>,
        input: SourceFile<'t>,
        state: &mut WalkState,
    ) -> Result<()> {
        // libclang visits a translation unit's macro definitions before its declarations;
        // in source order, a #define sees the enumerators declared above it, and #undefs
        // apply where they are written.
        let mut cursors: Vec<(u32, Cursor<'t>)> = scope
            .children()
            .into_iter()
            .filter(|cursor| cursor.file() == Some(input))
            .map(|cursor| (cursor.position().offset, cursor))
            .collect();
        cursors.sort_by_key(|(offset, _)| *offset);
        for (offset, cursor) in cursors {
            state.apply_undefs(offset);
            let (api, known) = (&mut state.api, &mut state.known);
            match cursor.kind() {
                CXCursor_LinkageSpec | CXCursor_Namespace => {
                    self.walk_scope(&cursor, input, state)?
                }
                CXCursor_ClassDecl | CXCursor_StructDecl if cursor.is_definition() => {
                    self.record(&cursor, api)?
                }
                CXCursor_ClassTemplate => self.reject_virtual_template(&cursor)?,
                CXCursor_EnumDecl if cursor.is_definition() && !cursor.is_anonymous() => {
                    self.enumeration(&cursor, cursor.spelling())?
                        .add_to(api, known);
                }
                CXCursor_EnumDecl if !cursor.is_anonymous() && !cursor.has_definition() => {
                    if let Some(parsed) = self.opaque_enumeration(&cursor, api)? {
                        parsed.add_to(api, known);
                    }
                }
                CXCursor_TypedefDecl => self.typedef(&cursor, api, known)?,
                CXCursor_MacroDefinition if !cursor.is_macro_function_like() => {
                    self.macro_constant(&cursor, api, known)?
                }
                _ => {}
            }
        }
        Ok(())
    }
    /// A class or struct definition: a polymorphic class (defined once), or a plain struct.
    fn record(&self, cursor: &Cursor<'_>, api: &mut Api) -> Result<()> {
        let Some(parsed) = self.class(cursor)? else {
            if let Some(s) = self.plain_struct(cursor)? {
                api.structs.push(s);
            }
            return Ok(());
        };
        let class = parsed.class;
        if let Some(previous) = api.classes.iter().find(|c| c.name == class.name) {
            return Err(self.unsupported(
                cursor,
                format!(
                    "class `{}` is defined twice (first at {})",
                    class.name, previous.location
                ),
            ));
        }
        for (index, convention) in parsed.conventions {
            api.details
                .method_conventions
                .push((class.name.clone(), index, convention));
        }
        api.classes.push(class);
        Ok(())
    }

    /// An object-like `#define` that is a constant: it replaces an earlier one of the same
    /// name, and an integer one becomes known to later `#define` bodies.
    fn macro_constant(
        &self,
        cursor: &Cursor<'_>,
        api: &mut Api,
        known: &mut BTreeMap<String, Integer>,
    ) -> Result<()> {
        let Some((constant, integer)) = self.constant(cursor, known)? else {
            return Ok(());
        };
        api.constants.retain(|c| c.name != constant.name);
        api.details.constant_types.remove(&constant.name);
        if let Some(integer) = integer {
            known.insert(constant.name.clone(), integer);
            if integer.ty != crate::ir::IntegerType::Int {
                api.details
                    .constant_types
                    .insert(constant.name.clone(), integer.ty);
            }
        }
        api.constants.push(constant);
        Ok(())
    }
}

/// What the walk has gathered so far, and the input's `#undef`s still to apply.
struct WalkState {
    api: Api,
    /// Integer constants and unscoped enumerators defined so far: what later `#define`
    /// bodies may use.
    known: BTreeMap<String, Integer>,
    /// `#undef NAME` directives of the input, by offset.
    undefs: Vec<(String, u32)>,
    /// How many of `undefs` have been applied.
    applied: usize,
}

impl WalkState {
    /// Applies the `#undef`s written before `offset`: a constant undefined there is no
    /// longer one (and no later `#define` may use it).
    fn apply_undefs(&mut self, offset: u32) {
        while let Some((name, at)) = self.undefs.get(self.applied) {
            if *at >= offset {
                break;
            }
            self.api.constants.retain(|c| c.name != *name);
            self.api.details.constant_types.remove(name);
            self.known.remove(name);
            self.applied += 1;
        }
    }
}

/// Every opaque type the API's classes, structs and typedefs mention, sorted.
fn collect_opaque(api: &Api) -> Vec<String> {
    fn visit(ty: &Type, out: &mut BTreeSet<String>) {
        match &ty.kind {
            TypeKind::Opaque { name } => {
                out.insert(name.clone());
            }
            TypeKind::Typedef { target, .. } => visit(target, out),
            TypeKind::Pointer { pointee, .. } | TypeKind::Reference { pointee, .. } => {
                visit(pointee, out)
            }
            TypeKind::Array { element, .. } => visit(element, out),
            TypeKind::Function(f) => {
                visit(&f.return_type, out);
                f.params.iter().for_each(|p| visit(p, out));
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    for class in &api.classes {
        for method in &class.methods {
            visit(&method.return_type, &mut out);
            method.params.iter().for_each(|p| visit(&p.ty, &mut out));
        }
    }
    api.structs
        .iter()
        .flat_map(|s| &s.fields)
        .for_each(|f| visit(&f.ty, &mut out));
    api.typedefs.iter().for_each(|t| visit(&t.target, &mut out));
    out.into_iter().collect()
}
