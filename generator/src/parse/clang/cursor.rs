//! Cursors and types of a parsed translation unit: what the walk in `parse` reads a
//! declaration through (kind, names, children, locations, tokens, types).

use super::*;

#[derive(Clone, Copy)]
pub struct Cursor<'t> {
    pub(super) raw: CXCursor,
    pub(super) tu: &'t TranslationUnit<'t>,
}

/// Where a cursor was expanded in the source: file name, line, column, byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePosition {
    pub file: Option<String>,
    pub line: u32,
    pub column: u32,
    pub offset: u32,
}

impl<'t> Cursor<'t> {
    pub fn kind(&self) -> CXCursorKind {
        // SAFETY: a valid cursor of a live TU.
        unsafe { clang_getCursorKind(self.raw) }
    }

    pub fn spelling(&self) -> String {
        // SAFETY: as above; the string is taken and freed.
        unsafe { take(clang_getCursorSpelling(self.raw)) }
    }

    pub fn children(&self) -> Vec<Cursor<'t>> {
        extern "C" fn collect(
            cursor: CXCursor,
            _parent: CXCursor,
            data: CXClientData,
        ) -> CXChildVisitResult {
            // SAFETY: `data` is the Vec passed below, alive for the whole visit.
            let out = unsafe { &mut *(data as *mut Vec<CXCursor>) };
            out.push(cursor);
            CXChildVisit_Continue
        }
        let mut raw: Vec<CXCursor> = Vec::new();
        // SAFETY: the callback only pushes into `raw`, which outlives the call.
        unsafe {
            clang_visitChildren(self.raw, collect, &mut raw as *mut _ as *mut c_void);
        }
        raw.into_iter()
            .map(|raw| Cursor { raw, tu: self.tu })
            .collect()
    }

    /// A function's own parameters (not those of a function type it returns, which are
    /// children too).
    pub fn arguments(&self) -> Vec<Cursor<'t>> {
        // SAFETY: a valid cursor; a negative count means "not a function".
        let n = unsafe { clang_Cursor_getNumArguments(self.raw) };
        (0..n.max(0) as u32)
            .map(|i| Cursor {
                // SAFETY: index in range.
                raw: unsafe { clang_Cursor_getArgument(self.raw, i) },
                tu: self.tu,
            })
            .collect()
    }

    pub fn position(&self) -> SourcePosition {
        // SAFETY: a valid cursor of a live TU.
        let (file, line, column, offset) =
            unsafe { spelling_location(clang_getCursorLocation(self.raw)) };
        SourcePosition {
            file,
            line,
            column,
            offset,
        }
    }

    /// The file the cursor was expanded in (none for built-ins and the command line).
    pub fn file(&self) -> Option<SourceFile<'t>> {
        // SAFETY: a valid cursor of a live TU.
        let (raw, ..) = unsafe { expansion(clang_getCursorLocation(self.raw)) };
        (!raw.is_null()).then_some(SourceFile {
            raw,
            _tu: std::marker::PhantomData,
        })
    }

    /// The scope the declaration belongs to (a class for a nested type, the translation
    /// unit or a namespace otherwise).
    pub fn semantic_parent(&self) -> Cursor<'t> {
        // SAFETY: a valid cursor of a live TU; the parent belongs to the same TU.
        Cursor {
            raw: unsafe { clang_getCursorSemanticParent(self.raw) },
            tu: self.tu,
        }
    }

    pub fn is_definition(&self) -> bool {
        // SAFETY: a valid cursor.
        unsafe { clang_isCursorDefinition(self.raw) != 0 }
    }

    /// Whether the translation unit defines what this cursor declares (anywhere, not
    /// necessarily here).
    pub fn has_definition(&self) -> bool {
        // SAFETY: a valid cursor; the null cursor is how libclang says "none".
        unsafe { clang_Cursor_isNull(clang_getCursorDefinition(self.raw)) == 0 }
    }

    pub fn ty(&self) -> ClangType<'t> {
        // SAFETY: a valid cursor.
        ClangType {
            raw: unsafe { clang_getCursorType(self.raw) },
            tu: self.tu,
        }
    }

    pub fn result_type(&self) -> ClangType<'t> {
        // SAFETY: a valid cursor.
        ClangType {
            raw: unsafe { clang_getCursorResultType(self.raw) },
            tu: self.tu,
        }
    }

    pub fn typedef_underlying(&self) -> ClangType<'t> {
        // SAFETY: a valid typedef cursor.
        ClangType {
            raw: unsafe { clang_getTypedefDeclUnderlyingType(self.raw) },
            tu: self.tu,
        }
    }

    pub fn is_virtual(&self) -> bool {
        // SAFETY: a valid cursor; libclang answers 0 for non-methods.
        unsafe { clang_CXXMethod_isVirtual(self.raw) != 0 }
    }

    pub fn is_pure_virtual(&self) -> bool {
        // SAFETY: as above.
        unsafe { clang_CXXMethod_isPureVirtual(self.raw) != 0 }
    }

    pub fn is_const_method(&self) -> bool {
        // SAFETY: as above.
        unsafe { clang_CXXMethod_isConst(self.raw) != 0 }
    }

    pub fn is_virtual_base(&self) -> bool {
        // SAFETY: as above.
        unsafe { clang_isVirtualBase(self.raw) != 0 }
    }

    pub fn is_macro_function_like(&self) -> bool {
        // SAFETY: as above.
        unsafe { clang_Cursor_isMacroFunctionLike(self.raw) != 0 }
    }

    pub fn access(&self) -> CX_CXXAccessSpecifier {
        // SAFETY: as above.
        unsafe { clang_getCXXAccessSpecifier(self.raw) }
    }

    pub fn enum_value(&self) -> i64 {
        // SAFETY: called on enum constant cursors only.
        unsafe { clang_getEnumConstantDeclValue(self.raw) }
    }

    /// An enumerator's value read as unsigned (for enums of an unsigned underlying type).
    pub fn enum_unsigned_value(&self) -> u64 {
        // SAFETY: called on enum constant cursors only.
        unsafe { clang_getEnumConstantDeclUnsignedValue(self.raw) }
    }

    /// An enum declaration's underlying integer type.
    pub fn enum_integer_type(&self) -> ClangType<'t> {
        // SAFETY: called on enum declaration cursors only.
        ClangType {
            raw: unsafe { clang_getEnumDeclIntegerType(self.raw) },
            tu: self.tu,
        }
    }

    /// `enum class` / `enum struct`.
    pub fn is_scoped_enum(&self) -> bool {
        // SAFETY: a valid cursor; 0 for anything but a scoped enum.
        unsafe { clang_EnumDecl_isScoped(self.raw) != 0 }
    }

    pub fn is_bitfield(&self) -> bool {
        // SAFETY: a valid cursor; 0 for anything but a bit-field.
        unsafe { clang_Cursor_isBitField(self.raw) != 0 }
    }

    /// A field's offset in bits from the start of its record, as the compiler lays it out
    /// (negative: libclang's error codes).
    pub fn field_offset_bits(&self) -> i64 {
        // SAFETY: a valid field cursor.
        unsafe { clang_Cursor_getOffsetOfField(self.raw) }
    }

    pub fn is_anonymous(&self) -> bool {
        // SAFETY: a valid cursor.
        unsafe { clang_Cursor_isAnonymous(self.raw) != 0 }
    }

    pub fn tokens(&self) -> Vec<Token> {
        self.tu.tokens(self)
    }

    /// See [`TranslationUnit::tokens_between`]: the tokens between `before` and this cursor.
    pub fn tokens_after(&self, before: &Cursor<'_>, enclosing: bool) -> Vec<Token> {
        self.tu.tokens_between(before, enclosing, self)
    }

    pub fn translation_unit(&self) -> &'t TranslationUnit<'t> {
        self.tu
    }

    /// See [`TranslationUnit::expanded_tokens`].
    pub fn expanded_tokens(&self) -> Vec<(Token, Option<Cursor<'t>>)> {
        self.tu.expanded_tokens(self)
    }
}

#[derive(Clone, Copy)]
pub struct ClangType<'t> {
    raw: CXType,
    tu: &'t TranslationUnit<'t>,
}

impl<'t> ClangType<'t> {
    pub fn kind(&self) -> CXTypeKind {
        self.raw.kind
    }

    pub fn spelling(&self) -> String {
        // SAFETY: a valid type of a live TU.
        unsafe { take(clang_getTypeSpelling(self.raw)) }
    }

    fn wrap(&self, raw: CXType) -> ClangType<'t> {
        ClangType { raw, tu: self.tu }
    }

    pub fn canonical(&self) -> ClangType<'t> {
        // SAFETY: as above.
        self.wrap(unsafe { clang_getCanonicalType(self.raw) })
    }

    pub fn pointee(&self) -> ClangType<'t> {
        // SAFETY: as above.
        self.wrap(unsafe { clang_getPointeeType(self.raw) })
    }

    pub fn named(&self) -> ClangType<'t> {
        // SAFETY: as above.
        self.wrap(unsafe { clang_Type_getNamedType(self.raw) })
    }

    pub fn modified(&self) -> ClangType<'t> {
        // SAFETY: as above.
        self.wrap(unsafe { clang_Type_getModifiedType(self.raw) })
    }

    pub fn element(&self) -> ClangType<'t> {
        // SAFETY: as above.
        self.wrap(unsafe { clang_getArrayElementType(self.raw) })
    }

    pub fn array_len(&self) -> i64 {
        // SAFETY: as above.
        unsafe { clang_getArraySize(self.raw) }
    }

    pub fn result(&self) -> ClangType<'t> {
        // SAFETY: as above.
        self.wrap(unsafe { clang_getResultType(self.raw) })
    }

    pub fn args(&self) -> Vec<ClangType<'t>> {
        // SAFETY: as above; a negative count means "not a function type".
        let n = unsafe { clang_getNumArgTypes(self.raw) };
        (0..n.max(0) as u32)
            // SAFETY: index in range.
            .map(|i| self.wrap(unsafe { clang_getArgType(self.raw, i) }))
            .collect()
    }

    pub fn is_variadic(&self) -> bool {
        // SAFETY: as above.
        unsafe { clang_isFunctionTypeVariadic(self.raw) != 0 }
    }

    pub fn calling_convention(&self) -> CXCallingConv {
        // SAFETY: as above.
        unsafe { clang_getFunctionTypeCallingConv(self.raw) }
    }

    pub fn is_const(&self) -> bool {
        // SAFETY: as above.
        unsafe { clang_isConstQualifiedType(self.raw) != 0 }
    }

    pub fn size_of(&self) -> i64 {
        // SAFETY: as above; negative values are libclang's error codes.
        unsafe { clang_Type_getSizeOf(self.raw) }
    }

    pub fn align_of(&self) -> i64 {
        // SAFETY: as above; negative values are libclang's error codes.
        unsafe { clang_Type_getAlignOf(self.raw) }
    }

    pub fn declaration(&self) -> Cursor<'t> {
        // SAFETY: as above.
        Cursor {
            raw: unsafe { clang_getTypeDeclaration(self.raw) },
            tu: self.tu,
        }
    }

    pub fn typedef_name(&self) -> String {
        // SAFETY: as above.
        unsafe { take(clang_getTypedefName(self.raw)) }
    }
}
