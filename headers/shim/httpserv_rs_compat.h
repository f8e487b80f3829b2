/*
 * httpserv_rs_compat.h -- part of httpserv-rs's header shims (headers/shim/).
 *
 * Supplies, as no-ops, the SAL source annotations (SAL 2 / SAL 1.5 names such
 * as _In_, _Ret_opt_, _Outptr_result_maybenull_, and the SAL 1 names of older
 * SDK headers such as __in, __out_bcount(cb), __deref_out_bcount_part(a, b))
 * that Debian's mingw-w64 headers do not define, so that unmodified Windows
 * SDK headers like httpserv.h parse on Linux.
 *
 * SAL only describes buffers and pointers to static analysers; it has no
 * effect on types, layout or the ABI, so every macro here expands to nothing.
 * Each is guarded with #ifndef: whatever mingw-w64 (or a real SDK) already
 * defines wins. Note that mingw-w64's sal.h leaves __in and __out undefined
 * for C++ because they clash with libstdc++ parameter names; the generator
 * compiles with -nostdinc, so defining them here is safe for it.
 *
 * The generator's prelude includes this file after <windows.h>, and so does
 * headers/httpserv.h (its SAL uses _Ret_opt_, which mingw-w64 lacks). The
 * list was made by checking which names mingw-w64 10.0 (Debian) leaves
 * undefined for both x86_64 and i686. Our own text; see headers/README.md.
 */
#ifndef HTTPSERV_RS_SHIM_COMPAT_H
#define HTTPSERV_RS_SHIM_COMPAT_H

#include <sal.h>

/* ---- SAL 2 (and the SAL 1.5 `_X_` forms): annotations without arguments (58) ---- */
#ifndef _Analysis_noreturn_
#define _Analysis_noreturn_
#endif
#ifndef _Deref2_pre_readonly_
#define _Deref2_pre_readonly_
#endif
#ifndef _Deref_inout_z_
#define _Deref_inout_z_
#endif
#ifndef _Deref_opt_out_z_
#define _Deref_opt_out_z_
#endif
#ifndef _Deref_out_z_
#define _Deref_out_z_
#endif
#ifndef _Deref_post_invalid_
#define _Deref_post_invalid_
#endif
#ifndef _Deref_post_maybenull_
#define _Deref_post_maybenull_
#endif
#ifndef _Deref_post_notnull_
#define _Deref_post_notnull_
#endif
#ifndef _Deref_post_null_
#define _Deref_post_null_
#endif
#ifndef _Deref_post_opt_valid_
#define _Deref_post_opt_valid_
#endif
#ifndef _Deref_post_opt_z_
#define _Deref_post_opt_z_
#endif
#ifndef _Deref_post_valid_
#define _Deref_post_valid_
#endif
#ifndef _Deref_post_z_
#define _Deref_post_z_
#endif
#ifndef _Deref_pre_invalid_
#define _Deref_pre_invalid_
#endif
#ifndef _Deref_pre_maybenull_
#define _Deref_pre_maybenull_
#endif
#ifndef _Deref_pre_notnull_
#define _Deref_pre_notnull_
#endif
#ifndef _Deref_pre_null_
#define _Deref_pre_null_
#endif
#ifndef _Deref_pre_opt_valid_
#define _Deref_pre_opt_valid_
#endif
#ifndef _Deref_pre_opt_z_
#define _Deref_pre_opt_z_
#endif
#ifndef _Deref_pre_readonly_
#define _Deref_pre_readonly_
#endif
#ifndef _Deref_pre_valid_
#define _Deref_pre_valid_
#endif
#ifndef _Deref_pre_writeonly_
#define _Deref_pre_writeonly_
#endif
#ifndef _Deref_pre_z_
#define _Deref_pre_z_
#endif
#ifndef _Deref_ret_opt_z_
#define _Deref_ret_opt_z_
#endif
#ifndef _Deref_ret_z_
#define _Deref_ret_z_
#endif
#ifndef _Enum_is_bitflag_
#define _Enum_is_bitflag_
#endif
#ifndef _Frees_ptr_
#define _Frees_ptr_
#endif
#ifndef _Frees_ptr_opt_
#define _Frees_ptr_opt_
#endif
#ifndef _Interlocked_operand_
#define _Interlocked_operand_
#endif
#ifndef _Maybenull_
#define _Maybenull_
#endif
#ifndef _Maybevalid_
#define _Maybevalid_
#endif
#ifndef _Notnull_
#define _Notnull_
#endif
#ifndef _Notvalid_
#define _Notvalid_
#endif
#ifndef _Null_
#define _Null_
#endif
#ifndef _Post_defensive_
#define _Post_defensive_
#endif
#ifndef _Post_invalid_
#define _Post_invalid_
#endif
#ifndef _Post_maybenull_
#define _Post_maybenull_
#endif
#ifndef _Post_maybez_
#define _Post_maybez_
#endif
#ifndef _Post_notnull_
#define _Post_notnull_
#endif
#ifndef _Post_null_
#define _Post_null_
#endif
#ifndef _Post_ptr_invalid_
#define _Post_ptr_invalid_
#endif
#ifndef _Post_valid_
#define _Post_valid_
#endif
#ifndef _Post_z_
#define _Post_z_
#endif
#ifndef _Pre_defensive_
#define _Pre_defensive_
#endif
#ifndef _Pre_invalid_
#define _Pre_invalid_
#endif
#ifndef _Pre_maybenull_
#define _Pre_maybenull_
#endif
#ifndef _Pre_null_
#define _Pre_null_
#endif
#ifndef _Pre_opt_valid_
#define _Pre_opt_valid_
#endif
#ifndef _Pre_opt_z_
#define _Pre_opt_z_
#endif
#ifndef _Pre_readonly_
#define _Pre_readonly_
#endif
#ifndef _Pre_unknown_
#define _Pre_unknown_
#endif
#ifndef _Pre_valid_
#define _Pre_valid_
#endif
#ifndef _Pre_writeonly_
#define _Pre_writeonly_
#endif
#ifndef _Pre_z_
#define _Pre_z_
#endif
#ifndef _Ret_opt_
#define _Ret_opt_
#endif
#ifndef _Ret_opt_valid_
#define _Ret_opt_valid_
#endif
#ifndef _Ret_opt_z_
#define _Ret_opt_z_
#endif
#ifndef _Valid_
#define _Valid_
#endif

/* ---- SAL 2 (and the SAL 1.5 `_X_` forms): annotations with arguments (43) ---- */
#ifndef _Deref_post_range_
#define _Deref_post_range_(...)
#endif
#ifndef _Deref_pre_range_
#define _Deref_pre_range_(...)
#endif
#ifndef _In_defensive_
#define _In_defensive_(...)
#endif
#ifndef _Inexpressible_
#define _Inexpressible_(...)
#endif
#ifndef _Inout_defensive_
#define _Inout_defensive_(...)
#endif
#ifndef _Out_defensive_
#define _Out_defensive_(...)
#endif
#ifndef _Post_bytecap_
#define _Post_bytecap_(...)
#endif
#ifndef _Post_cap_
#define _Post_cap_(...)
#endif
#ifndef _Post_range_
#define _Post_range_(...)
#endif
#ifndef _Pre_range_
#define _Pre_range_(...)
#endif
#ifndef _Ret_bytecap_
#define _Ret_bytecap_(...)
#endif
#ifndef _Ret_bytecap_c_
#define _Ret_bytecap_c_(...)
#endif
#ifndef _Ret_bytecap_x_
#define _Ret_bytecap_x_(...)
#endif
#ifndef _Ret_bytecount_
#define _Ret_bytecount_(...)
#endif
#ifndef _Ret_bytecount_c_
#define _Ret_bytecount_c_(...)
#endif
#ifndef _Ret_bytecount_x_
#define _Ret_bytecount_x_(...)
#endif
#ifndef _Ret_cap_
#define _Ret_cap_(...)
#endif
#ifndef _Ret_cap_c_
#define _Ret_cap_c_(...)
#endif
#ifndef _Ret_cap_x_
#define _Ret_cap_x_(...)
#endif
#ifndef _Ret_count_
#define _Ret_count_(...)
#endif
#ifndef _Ret_count_c_
#define _Ret_count_c_(...)
#endif
#ifndef _Ret_count_x_
#define _Ret_count_x_(...)
#endif
#ifndef _Ret_opt_bytecap_
#define _Ret_opt_bytecap_(...)
#endif
#ifndef _Ret_opt_bytecap_c_
#define _Ret_opt_bytecap_c_(...)
#endif
#ifndef _Ret_opt_bytecap_x_
#define _Ret_opt_bytecap_x_(...)
#endif
#ifndef _Ret_opt_bytecount_
#define _Ret_opt_bytecount_(...)
#endif
#ifndef _Ret_opt_bytecount_c_
#define _Ret_opt_bytecount_c_(...)
#endif
#ifndef _Ret_opt_bytecount_x_
#define _Ret_opt_bytecount_x_(...)
#endif
#ifndef _Ret_opt_cap_
#define _Ret_opt_cap_(...)
#endif
#ifndef _Ret_opt_cap_c_
#define _Ret_opt_cap_c_(...)
#endif
#ifndef _Ret_opt_cap_x_
#define _Ret_opt_cap_x_(...)
#endif
#ifndef _Ret_opt_count_
#define _Ret_opt_count_(...)
#endif
#ifndef _Ret_opt_count_c_
#define _Ret_opt_count_c_(...)
#endif
#ifndef _Ret_opt_count_x_
#define _Ret_opt_count_x_(...)
#endif
#ifndef _Ret_opt_z_bytecap_
#define _Ret_opt_z_bytecap_(...)
#endif
#ifndef _Ret_opt_z_bytecount_
#define _Ret_opt_z_bytecount_(...)
#endif
#ifndef _Ret_opt_z_cap_
#define _Ret_opt_z_cap_(...)
#endif
#ifndef _Ret_opt_z_count_
#define _Ret_opt_z_count_(...)
#endif
#ifndef _Ret_z_bytecap_
#define _Ret_z_bytecap_(...)
#endif
#ifndef _Ret_z_bytecount_
#define _Ret_z_bytecount_(...)
#endif
#ifndef _Ret_z_cap_
#define _Ret_z_cap_(...)
#endif
#ifndef _Ret_z_count_
#define _Ret_z_count_(...)
#endif
#ifndef _Satisfies_
#define _Satisfies_(...)
#endif

/* ---- SAL 1 (`__x` forms of older SDK headers): annotations without arguments (56) ---- */
#ifndef __analysis_noreturn
#define __analysis_noreturn
#endif
#ifndef __callback
#define __callback
#endif
#ifndef __deref_in
#define __deref_in
#endif
#ifndef __deref_in_opt
#define __deref_in_opt
#endif
#ifndef __deref_inout
#define __deref_inout
#endif
#ifndef __deref_inout_nz
#define __deref_inout_nz
#endif
#ifndef __deref_inout_nz_opt
#define __deref_inout_nz_opt
#endif
#ifndef __deref_inout_opt
#define __deref_inout_opt
#endif
#ifndef __deref_inout_z
#define __deref_inout_z
#endif
#ifndef __deref_inout_z_opt
#define __deref_inout_z_opt
#endif
#ifndef __deref_opt_in
#define __deref_opt_in
#endif
#ifndef __deref_opt_in_opt
#define __deref_opt_in_opt
#endif
#ifndef __deref_opt_inout
#define __deref_opt_inout
#endif
#ifndef __deref_opt_inout_nz
#define __deref_opt_inout_nz
#endif
#ifndef __deref_opt_inout_nz_opt
#define __deref_opt_inout_nz_opt
#endif
#ifndef __deref_opt_inout_opt
#define __deref_opt_inout_opt
#endif
#ifndef __deref_opt_inout_z
#define __deref_opt_inout_z
#endif
#ifndef __deref_opt_inout_z_opt
#define __deref_opt_inout_z_opt
#endif
#ifndef __deref_opt_out_nz
#define __deref_opt_out_nz
#endif
#ifndef __deref_opt_out_nz_opt
#define __deref_opt_out_nz_opt
#endif
#ifndef __deref_opt_out_opt
#define __deref_opt_out_opt
#endif
#ifndef __deref_opt_out_z
#define __deref_opt_out_z
#endif
#ifndef __deref_opt_out_z_opt
#define __deref_opt_out_z_opt
#endif
#ifndef __deref_out_nz
#define __deref_out_nz
#endif
#ifndef __deref_out_nz_opt
#define __deref_out_nz_opt
#endif
#ifndef __deref_out_z
#define __deref_out_z
#endif
#ifndef __deref_out_z_opt
#define __deref_out_z_opt
#endif
#ifndef __exceptthat
#define __exceptthat
#endif
#ifndef __field_nullterminated
#define __field_nullterminated
#endif
#ifndef __format_string
#define __format_string
#endif
#ifndef __in
#define __in
#endif
#ifndef __in_nz
#define __in_nz
#endif
#ifndef __in_nz_opt
#define __in_nz_opt
#endif
#ifndef __in_z
#define __in_z
#endif
#ifndef __in_z_opt
#define __in_z_opt
#endif
#ifndef __inout_nz
#define __inout_nz
#endif
#ifndef __inout_nz_opt
#define __inout_nz_opt
#endif
#ifndef __inout_z
#define __inout_z
#endif
#ifndef __inout_z_opt
#define __inout_z_opt
#endif
#ifndef __maybenull
#define __maybenull
#endif
#ifndef __maybevalid
#define __maybevalid
#endif
#ifndef __notnull
#define __notnull
#endif
#ifndef __notvalid
#define __notvalid
#endif
#ifndef __nullnullterminated
#define __nullnullterminated
#endif
#ifndef __nullterminated
#define __nullterminated
#endif
#ifndef __out
#define __out
#endif
#ifndef __out_nz
#define __out_nz
#endif
#ifndef __out_nz_opt
#define __out_nz_opt
#endif
#ifndef __out_z
#define __out_z
#endif
#ifndef __out_z_opt
#define __out_z_opt
#endif
#ifndef __override
#define __override
#endif
#ifndef __post
#define __post
#endif
#ifndef __pre
#define __pre
#endif
#ifndef __readonly
#define __readonly
#endif
#ifndef __reserved
#define __reserved
#endif
#ifndef __valid
#define __valid
#endif

/* ---- SAL 1 (`__x` forms of older SDK headers): annotations with arguments (209) ---- */
#ifndef __assume_bound
#define __assume_bound(...)
#endif
#ifndef __bcount_opt
#define __bcount_opt(...)
#endif
#ifndef __blocksOn
#define __blocksOn(...)
#endif
#ifndef __byte_readableTo
#define __byte_readableTo(...)
#endif
#ifndef __byte_writableTo
#define __byte_writableTo(...)
#endif
#ifndef __control_entrypoint
#define __control_entrypoint(...)
#endif
#ifndef __data_entrypoint
#define __data_entrypoint(...)
#endif
#ifndef __deref_bcount
#define __deref_bcount(...)
#endif
#ifndef __deref_ecount
#define __deref_ecount(...)
#endif
#ifndef __deref_in_bcount
#define __deref_in_bcount(...)
#endif
#ifndef __deref_in_bcount_opt
#define __deref_in_bcount_opt(...)
#endif
#ifndef __deref_in_ecount
#define __deref_in_ecount(...)
#endif
#ifndef __deref_in_ecount_opt
#define __deref_in_ecount_opt(...)
#endif
#ifndef __deref_in_range
#define __deref_in_range(...)
#endif
#ifndef __deref_in_xcount
#define __deref_in_xcount(...)
#endif
#ifndef __deref_in_xcount_opt
#define __deref_in_xcount_opt(...)
#endif
#ifndef __deref_inout_bcount
#define __deref_inout_bcount(...)
#endif
#ifndef __deref_inout_bcount_full
#define __deref_inout_bcount_full(...)
#endif
#ifndef __deref_inout_bcount_full_opt
#define __deref_inout_bcount_full_opt(...)
#endif
#ifndef __deref_inout_bcount_nz
#define __deref_inout_bcount_nz(...)
#endif
#ifndef __deref_inout_bcount_nz_opt
#define __deref_inout_bcount_nz_opt(...)
#endif
#ifndef __deref_inout_bcount_opt
#define __deref_inout_bcount_opt(...)
#endif
#ifndef __deref_inout_bcount_part
#define __deref_inout_bcount_part(...)
#endif
#ifndef __deref_inout_bcount_part_opt
#define __deref_inout_bcount_part_opt(...)
#endif
#ifndef __deref_inout_bcount_z
#define __deref_inout_bcount_z(...)
#endif
#ifndef __deref_inout_bcount_z_opt
#define __deref_inout_bcount_z_opt(...)
#endif
#ifndef __deref_inout_ecount
#define __deref_inout_ecount(...)
#endif
#ifndef __deref_inout_ecount_full
#define __deref_inout_ecount_full(...)
#endif
#ifndef __deref_inout_ecount_full_opt
#define __deref_inout_ecount_full_opt(...)
#endif
#ifndef __deref_inout_ecount_nz
#define __deref_inout_ecount_nz(...)
#endif
#ifndef __deref_inout_ecount_nz_opt
#define __deref_inout_ecount_nz_opt(...)
#endif
#ifndef __deref_inout_ecount_opt
#define __deref_inout_ecount_opt(...)
#endif
#ifndef __deref_inout_ecount_part
#define __deref_inout_ecount_part(...)
#endif
#ifndef __deref_inout_ecount_part_opt
#define __deref_inout_ecount_part_opt(...)
#endif
#ifndef __deref_inout_ecount_z
#define __deref_inout_ecount_z(...)
#endif
#ifndef __deref_inout_ecount_z_opt
#define __deref_inout_ecount_z_opt(...)
#endif
#ifndef __deref_inout_range
#define __deref_inout_range(...)
#endif
#ifndef __deref_inout_xcount
#define __deref_inout_xcount(...)
#endif
#ifndef __deref_inout_xcount_full
#define __deref_inout_xcount_full(...)
#endif
#ifndef __deref_inout_xcount_full_opt
#define __deref_inout_xcount_full_opt(...)
#endif
#ifndef __deref_inout_xcount_opt
#define __deref_inout_xcount_opt(...)
#endif
#ifndef __deref_inout_xcount_part
#define __deref_inout_xcount_part(...)
#endif
#ifndef __deref_inout_xcount_part_opt
#define __deref_inout_xcount_part_opt(...)
#endif
#ifndef __deref_opt_bcount
#define __deref_opt_bcount(...)
#endif
#ifndef __deref_opt_ecount
#define __deref_opt_ecount(...)
#endif
#ifndef __deref_opt_in_bcount
#define __deref_opt_in_bcount(...)
#endif
#ifndef __deref_opt_in_bcount_opt
#define __deref_opt_in_bcount_opt(...)
#endif
#ifndef __deref_opt_in_ecount
#define __deref_opt_in_ecount(...)
#endif
#ifndef __deref_opt_in_ecount_opt
#define __deref_opt_in_ecount_opt(...)
#endif
#ifndef __deref_opt_in_xcount
#define __deref_opt_in_xcount(...)
#endif
#ifndef __deref_opt_in_xcount_opt
#define __deref_opt_in_xcount_opt(...)
#endif
#ifndef __deref_opt_inout_bcount
#define __deref_opt_inout_bcount(...)
#endif
#ifndef __deref_opt_inout_bcount_full
#define __deref_opt_inout_bcount_full(...)
#endif
#ifndef __deref_opt_inout_bcount_full_opt
#define __deref_opt_inout_bcount_full_opt(...)
#endif
#ifndef __deref_opt_inout_bcount_nz
#define __deref_opt_inout_bcount_nz(...)
#endif
#ifndef __deref_opt_inout_bcount_nz_opt
#define __deref_opt_inout_bcount_nz_opt(...)
#endif
#ifndef __deref_opt_inout_bcount_opt
#define __deref_opt_inout_bcount_opt(...)
#endif
#ifndef __deref_opt_inout_bcount_part
#define __deref_opt_inout_bcount_part(...)
#endif
#ifndef __deref_opt_inout_bcount_part_opt
#define __deref_opt_inout_bcount_part_opt(...)
#endif
#ifndef __deref_opt_inout_bcount_z
#define __deref_opt_inout_bcount_z(...)
#endif
#ifndef __deref_opt_inout_bcount_z_opt
#define __deref_opt_inout_bcount_z_opt(...)
#endif
#ifndef __deref_opt_inout_ecount
#define __deref_opt_inout_ecount(...)
#endif
#ifndef __deref_opt_inout_ecount_full
#define __deref_opt_inout_ecount_full(...)
#endif
#ifndef __deref_opt_inout_ecount_full_opt
#define __deref_opt_inout_ecount_full_opt(...)
#endif
#ifndef __deref_opt_inout_ecount_nz
#define __deref_opt_inout_ecount_nz(...)
#endif
#ifndef __deref_opt_inout_ecount_nz_opt
#define __deref_opt_inout_ecount_nz_opt(...)
#endif
#ifndef __deref_opt_inout_ecount_opt
#define __deref_opt_inout_ecount_opt(...)
#endif
#ifndef __deref_opt_inout_ecount_part
#define __deref_opt_inout_ecount_part(...)
#endif
#ifndef __deref_opt_inout_ecount_part_opt
#define __deref_opt_inout_ecount_part_opt(...)
#endif
#ifndef __deref_opt_inout_ecount_z
#define __deref_opt_inout_ecount_z(...)
#endif
#ifndef __deref_opt_inout_ecount_z_opt
#define __deref_opt_inout_ecount_z_opt(...)
#endif
#ifndef __deref_opt_inout_xcount
#define __deref_opt_inout_xcount(...)
#endif
#ifndef __deref_opt_inout_xcount_full
#define __deref_opt_inout_xcount_full(...)
#endif
#ifndef __deref_opt_inout_xcount_full_opt
#define __deref_opt_inout_xcount_full_opt(...)
#endif
#ifndef __deref_opt_inout_xcount_opt
#define __deref_opt_inout_xcount_opt(...)
#endif
#ifndef __deref_opt_inout_xcount_part
#define __deref_opt_inout_xcount_part(...)
#endif
#ifndef __deref_opt_inout_xcount_part_opt
#define __deref_opt_inout_xcount_part_opt(...)
#endif
#ifndef __deref_opt_out_bcount_full
#define __deref_opt_out_bcount_full(...)
#endif
#ifndef __deref_opt_out_bcount_full_opt
#define __deref_opt_out_bcount_full_opt(...)
#endif
#ifndef __deref_opt_out_bcount_nz
#define __deref_opt_out_bcount_nz(...)
#endif
#ifndef __deref_opt_out_bcount_nz_opt
#define __deref_opt_out_bcount_nz_opt(...)
#endif
#ifndef __deref_opt_out_bcount_opt
#define __deref_opt_out_bcount_opt(...)
#endif
#ifndef __deref_opt_out_bcount_part
#define __deref_opt_out_bcount_part(...)
#endif
#ifndef __deref_opt_out_bcount_part_opt
#define __deref_opt_out_bcount_part_opt(...)
#endif
#ifndef __deref_opt_out_bcount_z
#define __deref_opt_out_bcount_z(...)
#endif
#ifndef __deref_opt_out_bcount_z_opt
#define __deref_opt_out_bcount_z_opt(...)
#endif
#ifndef __deref_opt_out_ecount
#define __deref_opt_out_ecount(...)
#endif
#ifndef __deref_opt_out_ecount_full
#define __deref_opt_out_ecount_full(...)
#endif
#ifndef __deref_opt_out_ecount_full_opt
#define __deref_opt_out_ecount_full_opt(...)
#endif
#ifndef __deref_opt_out_ecount_nz
#define __deref_opt_out_ecount_nz(...)
#endif
#ifndef __deref_opt_out_ecount_nz_opt
#define __deref_opt_out_ecount_nz_opt(...)
#endif
#ifndef __deref_opt_out_ecount_opt
#define __deref_opt_out_ecount_opt(...)
#endif
#ifndef __deref_opt_out_ecount_part
#define __deref_opt_out_ecount_part(...)
#endif
#ifndef __deref_opt_out_ecount_part_opt
#define __deref_opt_out_ecount_part_opt(...)
#endif
#ifndef __deref_opt_out_ecount_z
#define __deref_opt_out_ecount_z(...)
#endif
#ifndef __deref_opt_out_ecount_z_opt
#define __deref_opt_out_ecount_z_opt(...)
#endif
#ifndef __deref_opt_out_xcount
#define __deref_opt_out_xcount(...)
#endif
#ifndef __deref_opt_out_xcount_full
#define __deref_opt_out_xcount_full(...)
#endif
#ifndef __deref_opt_out_xcount_full_opt
#define __deref_opt_out_xcount_full_opt(...)
#endif
#ifndef __deref_opt_out_xcount_opt
#define __deref_opt_out_xcount_opt(...)
#endif
#ifndef __deref_opt_out_xcount_part
#define __deref_opt_out_xcount_part(...)
#endif
#ifndef __deref_opt_out_xcount_part_opt
#define __deref_opt_out_xcount_part_opt(...)
#endif
#ifndef __deref_opt_xcount
#define __deref_opt_xcount(...)
#endif
#ifndef __deref_out_bcount
#define __deref_out_bcount(...)
#endif
#ifndef __deref_out_bcount_full
#define __deref_out_bcount_full(...)
#endif
#ifndef __deref_out_bcount_full_opt
#define __deref_out_bcount_full_opt(...)
#endif
#ifndef __deref_out_bcount_nz
#define __deref_out_bcount_nz(...)
#endif
#ifndef __deref_out_bcount_nz_opt
#define __deref_out_bcount_nz_opt(...)
#endif
#ifndef __deref_out_bcount_opt
#define __deref_out_bcount_opt(...)
#endif
#ifndef __deref_out_bcount_part
#define __deref_out_bcount_part(...)
#endif
#ifndef __deref_out_bcount_part_opt
#define __deref_out_bcount_part_opt(...)
#endif
#ifndef __deref_out_bcount_z
#define __deref_out_bcount_z(...)
#endif
#ifndef __deref_out_bcount_z_opt
#define __deref_out_bcount_z_opt(...)
#endif
#ifndef __deref_out_ecount_full
#define __deref_out_ecount_full(...)
#endif
#ifndef __deref_out_ecount_full_opt
#define __deref_out_ecount_full_opt(...)
#endif
#ifndef __deref_out_ecount_nz
#define __deref_out_ecount_nz(...)
#endif
#ifndef __deref_out_ecount_nz_opt
#define __deref_out_ecount_nz_opt(...)
#endif
#ifndef __deref_out_ecount_opt
#define __deref_out_ecount_opt(...)
#endif
#ifndef __deref_out_ecount_part
#define __deref_out_ecount_part(...)
#endif
#ifndef __deref_out_ecount_part_opt
#define __deref_out_ecount_part_opt(...)
#endif
#ifndef __deref_out_ecount_z
#define __deref_out_ecount_z(...)
#endif
#ifndef __deref_out_ecount_z_opt
#define __deref_out_ecount_z_opt(...)
#endif
#ifndef __deref_out_range
#define __deref_out_range(...)
#endif
#ifndef __deref_out_xcount
#define __deref_out_xcount(...)
#endif
#ifndef __deref_out_xcount_full
#define __deref_out_xcount_full(...)
#endif
#ifndef __deref_out_xcount_full_opt
#define __deref_out_xcount_full_opt(...)
#endif
#ifndef __deref_out_xcount_opt
#define __deref_out_xcount_opt(...)
#endif
#ifndef __deref_out_xcount_part
#define __deref_out_xcount_part(...)
#endif
#ifndef __deref_out_xcount_part_opt
#define __deref_out_xcount_part_opt(...)
#endif
#ifndef __deref_xcount
#define __deref_xcount(...)
#endif
#ifndef __ecount_opt
#define __ecount_opt(...)
#endif
#ifndef __elem_readableTo
#define __elem_readableTo(...)
#endif
#ifndef __elem_writableTo
#define __elem_writableTo(...)
#endif
#ifndef __field_bcount
#define __field_bcount(...)
#endif
#ifndef __field_bcount_full
#define __field_bcount_full(...)
#endif
#ifndef __field_bcount_full_opt
#define __field_bcount_full_opt(...)
#endif
#ifndef __field_bcount_opt
#define __field_bcount_opt(...)
#endif
#ifndef __field_bcount_part
#define __field_bcount_part(...)
#endif
#ifndef __field_bcount_part_opt
#define __field_bcount_part_opt(...)
#endif
#ifndef __field_ecount
#define __field_ecount(...)
#endif
#ifndef __field_ecount_full
#define __field_ecount_full(...)
#endif
#ifndef __field_ecount_full_opt
#define __field_ecount_full_opt(...)
#endif
#ifndef __field_ecount_opt
#define __field_ecount_opt(...)
#endif
#ifndef __field_ecount_part
#define __field_ecount_part(...)
#endif
#ifndef __field_ecount_part_opt
#define __field_ecount_part_opt(...)
#endif
#ifndef __field_range
#define __field_range(...)
#endif
#ifndef __field_xcount
#define __field_xcount(...)
#endif
#ifndef __field_xcount_full
#define __field_xcount_full(...)
#endif
#ifndef __field_xcount_full_opt
#define __field_xcount_full_opt(...)
#endif
#ifndef __field_xcount_opt
#define __field_xcount_opt(...)
#endif
#ifndef __field_xcount_part
#define __field_xcount_part(...)
#endif
#ifndef __field_xcount_part_opt
#define __field_xcount_part_opt(...)
#endif
#ifndef __in_awcount
#define __in_awcount(...)
#endif
#ifndef __in_bcount_nz_opt
#define __in_bcount_nz_opt(...)
#endif
#ifndef __in_bcount_opt
#define __in_bcount_opt(...)
#endif
#ifndef __in_bcount_z_opt
#define __in_bcount_z_opt(...)
#endif
#ifndef __in_ecount_nz_opt
#define __in_ecount_nz_opt(...)
#endif
#ifndef __in_ecount_opt
#define __in_ecount_opt(...)
#endif
#ifndef __in_ecount_z_opt
#define __in_ecount_z_opt(...)
#endif
#ifndef __in_range
#define __in_range(...)
#endif
#ifndef __in_xcount
#define __in_xcount(...)
#endif
#ifndef __in_xcount_opt
#define __in_xcount_opt(...)
#endif
#ifndef __inexpressible_readableTo
#define __inexpressible_readableTo(...)
#endif
#ifndef __inexpressible_writableTo
#define __inexpressible_writableTo(...)
#endif
#ifndef __inout_bcount_full_opt
#define __inout_bcount_full_opt(...)
#endif
#ifndef __inout_bcount_nz_opt
#define __inout_bcount_nz_opt(...)
#endif
#ifndef __inout_bcount_opt
#define __inout_bcount_opt(...)
#endif
#ifndef __inout_bcount_part_opt
#define __inout_bcount_part_opt(...)
#endif
#ifndef __inout_bcount_z_opt
#define __inout_bcount_z_opt(...)
#endif
#ifndef __inout_ecount_full_opt
#define __inout_ecount_full_opt(...)
#endif
#ifndef __inout_ecount_nz_opt
#define __inout_ecount_nz_opt(...)
#endif
#ifndef __inout_ecount_opt
#define __inout_ecount_opt(...)
#endif
#ifndef __inout_ecount_part_opt
#define __inout_ecount_part_opt(...)
#endif
#ifndef __inout_ecount_z_opt
#define __inout_ecount_z_opt(...)
#endif
#ifndef __inout_xcount
#define __inout_xcount(...)
#endif
#ifndef __inout_xcount_full
#define __inout_xcount_full(...)
#endif
#ifndef __inout_xcount_full_opt
#define __inout_xcount_full_opt(...)
#endif
#ifndef __inout_xcount_opt
#define __inout_xcount_opt(...)
#endif
#ifndef __inout_xcount_part
#define __inout_xcount_part(...)
#endif
#ifndef __inout_xcount_part_opt
#define __inout_xcount_part_opt(...)
#endif
#ifndef __out_awcount
#define __out_awcount(...)
#endif
#ifndef __out_bcount_full_opt
#define __out_bcount_full_opt(...)
#endif
#ifndef __out_bcount_full_z_opt
#define __out_bcount_full_z_opt(...)
#endif
#ifndef __out_bcount_nz_opt
#define __out_bcount_nz_opt(...)
#endif
#ifndef __out_bcount_opt
#define __out_bcount_opt(...)
#endif
#ifndef __out_bcount_part_opt
#define __out_bcount_part_opt(...)
#endif
#ifndef __out_bcount_part_z_opt
#define __out_bcount_part_z_opt(...)
#endif
#ifndef __out_bcount_z_opt
#define __out_bcount_z_opt(...)
#endif
#ifndef __out_ecount_full_opt
#define __out_ecount_full_opt(...)
#endif
#ifndef __out_ecount_full_z_opt
#define __out_ecount_full_z_opt(...)
#endif
#ifndef __out_ecount_nz_opt
#define __out_ecount_nz_opt(...)
#endif
#ifndef __out_ecount_opt
#define __out_ecount_opt(...)
#endif
#ifndef __out_ecount_part_opt
#define __out_ecount_part_opt(...)
#endif
#ifndef __out_ecount_part_z_opt
#define __out_ecount_part_z_opt(...)
#endif
#ifndef __out_ecount_z_opt
#define __out_ecount_z_opt(...)
#endif
#ifndef __out_range
#define __out_range(...)
#endif
#ifndef __out_xcount
#define __out_xcount(...)
#endif
#ifndef __out_xcount_full
#define __out_xcount_full(...)
#endif
#ifndef __out_xcount_full_opt
#define __out_xcount_full_opt(...)
#endif
#ifndef __out_xcount_opt
#define __out_xcount_opt(...)
#endif
#ifndef __out_xcount_part
#define __out_xcount_part(...)
#endif
#ifndef __out_xcount_part_opt
#define __out_xcount_part_opt(...)
#endif
#ifndef __readableTo
#define __readableTo(...)
#endif
#ifndef __struct_bcount
#define __struct_bcount(...)
#endif
#ifndef __struct_xcount
#define __struct_xcount(...)
#endif
#ifndef __success
#define __success(...)
#endif
#ifndef __typefix
#define __typefix(...)
#endif
#ifndef __writableTo
#define __writableTo(...)
#endif
#ifndef __xcount
#define __xcount(...)
#endif

#endif /* HTTPSERV_RS_SHIM_COMPAT_H */
