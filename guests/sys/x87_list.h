/* The cases of the x87 kernel (x87_cases.h says what a case is), by family. The
 * register forms of the non-commutative operations are written as bytes, since
 * AT&T syntax swaps FSUB/FSUBR and FDIV/FDIVR there. Most binary cases start
 * with ST(0) = 1.5, ST(1) = -2.25. */
#pragma once
#include "x87_cases.h"

#define PAIR "fldl d_m2p25(%rip); fldl d_1p5(%rip)\n"
/* Sets C3 C2 C1 C0, to show which of them an instruction writes. */
#define PRESET_CODES "fnstenv x87_scratch(%rip); orw $0x4700, x87_scratch+4(%rip); fldenv x87_scratch(%rip)\n"
u8 x87_scratch[28];
#define QNAN_PAIR "fldl d_qnan(%rip); fld1\n"

#define X87_ARITHMETIC(X)                                                                               \
  X(fadd_m32, 0, "fldl d_1p5(%rip); fadds s_1p5(%rip)")                                                 \
  X(fmul_m32_denormal, QEMU_DIFFERS, "fldl d_1p5(%rip); fmuls s_denormal(%rip)")                        \
  X(fsub_m64, 0, "fldl d_1p5(%rip); fsubl d_m2p25(%rip)")                                               \
  X(fsubr_m64, 0, "fldl d_1p5(%rip); fsubrl d_m2p25(%rip)")                                             \
  X(fmul_m64, 0, "fldl d_1p5(%rip); fmull d_0p1(%rip)")                                                 \
  X(fdiv_m64, 0, "fldl d_1p5(%rip); fdivl d_3(%rip)")                                                   \
  X(fdivr_m64, 0, "fldl d_1p5(%rip); fdivrl d_3(%rip)")                                                 \
  X(fiadd_m16, 0, "fldl d_1p5(%rip); fiadds w_m3(%rip)")                                                \
  X(fisub_m32, 0, "fldl d_1p5(%rip); fisubl l_1e6(%rip)")                                               \
  X(fisubr_m16, 0, "fldl d_1p5(%rip); fisubrs w_7(%rip)")                                               \
  X(fimul_m32, 0, "fldl d_0p1(%rip); fimull l_1e6(%rip)")                                               \
  X(fidiv_m16, 0, "fld1; fidivs w_7(%rip)")                                                             \
  X(fidivr_m32, QEMU_DIFFERS, "fldl d_3(%rip); fidivrl l_m2(%rip)")                                     \
  X(fadd_st0_st1, 0, PAIR ".byte 0xd8, 0xc1")                                                           \
  X(fmul_st0_st1, 0, PAIR ".byte 0xd8, 0xc9")                                                           \
  X(fsub_st0_st1, 0, PAIR ".byte 0xd8, 0xe1")                                                           \
  X(fsubr_st0_st1, 0, PAIR ".byte 0xd8, 0xe9")                                                          \
  X(fdiv_st0_st1, QEMU_DIFFERS, PAIR ".byte 0xd8, 0xf1")                                                \
  X(fdivr_st0_st1, 0, PAIR ".byte 0xd8, 0xf9")                                                          \
  X(fadd_st1_st0, 0, PAIR ".byte 0xdc, 0xc1")                                                           \
  X(fmul_st1_st0, 0, PAIR ".byte 0xdc, 0xc9")                                                           \
  X(fsubr_st1_st0, 0, PAIR ".byte 0xdc, 0xe1")                                                          \
  X(fsub_st1_st0, 0, PAIR ".byte 0xdc, 0xe9")                                                           \
  X(fdivr_st1_st0, QEMU_DIFFERS, PAIR ".byte 0xdc, 0xf1")                                               \
  X(fdiv_st1_st0, 0, PAIR ".byte 0xdc, 0xf9")                                                           \
  X(faddp, 0, PAIR ".byte 0xde, 0xc1")                                                                  \
  X(fmulp, 0, PAIR ".byte 0xde, 0xc9")                                                                  \
  X(fsubrp, 0, PAIR ".byte 0xde, 0xe1")                                                                 \
  X(fsubp, 0, PAIR ".byte 0xde, 0xe9")                                                                  \
  X(fdivrp, QEMU_DIFFERS, PAIR ".byte 0xde, 0xf1")                                                      \
  X(fdivp, 0, PAIR ".byte 0xde, 0xf9")                                                                  \
  X(fdiv_third_nearest, QEMU_DIFFERS, "fld1; fdivl d_3(%rip)")                                          \
  X(fdiv_third_down, 0, "fldcw cw_down(%rip); fld1; fdivl d_3(%rip)")                                   \
  X(fdiv_third_up, QEMU_DIFFERS, "fldcw cw_up(%rip); fld1; fdivl d_3(%rip)")                            \
  X(fdiv_third_zero, 0, "fldcw cw_zero(%rip); fld1; fdivl d_3(%rip)")                                   \
  X(fdiv_mthird_down, QEMU_DIFFERS, "fldcw cw_down(%rip); fldl d_m1(%rip); fdivl d_3(%rip)")            \
  X(fdiv_third_single, QEMU_DIFFERS, "fldcw cw_single(%rip); fld1; fdivl d_3(%rip)")                    \
  X(fdiv_third_double, 0, "fldcw cw_double(%rip); fld1; fdivl d_3(%rip)")                               \
  X(fadd_single_precision, QEMU_DIFFERS, "fldcw cw_single(%rip); fldl d_0p1(%rip); faddl d_1p5(%rip)")  \
  X(fsqrt_2, 0, "fldl d_2(%rip); fsqrt")                                                                \
  X(fsqrt_m1, QEMU_DIFFERS, "fldl d_m1(%rip); fsqrt")                                                   \
  X(fsqrt_m0, QEMU_DIFFERS, "fldl d_m0(%rip); fsqrt")                                                   \
  X(fdiv_by_zero, 0, "fldz; fld1; fdiv %st(1), %st")                                                    \
  X(fdiv_zero_by_zero, 0, "fldz; fldz; fdiv %st(1), %st")                                               \
  X(fsub_inf_inf, 0, "fldl d_inf(%rip); fldl d_inf(%rip); fsub %st(1), %st")                            \
  X(fmul_overflow, QEMU_DIFFERS, "fldt t_big(%rip); fmul %st(0), %st")                                  \
  X(fmul_overflow_toward_zero, 0, "fldcw cw_zero(%rip); fldt t_big(%rip); fmul %st(0), %st")            \
  X(fmul_underflow, 0, "fldt t_tiny(%rip); fmul %st(0), %st")                                           \
  X(fmul_denormal_result, 0, "fldt t_tiny(%rip); fmull d_0p1(%rip)")                                    \
  X(fmul_denormal_operand, QEMU_DIFFERS, "fldt t_denormal(%rip); fld1; fmul %st(1), %st")               \
  X(fadd_pseudo_denormal, QEMU_DIFFERS, "fldt t_pseudo_denormal(%rip); fld1; fadd %st(1), %st")         \
  X(fadd_unnormal, 0, "fldt t_unnormal(%rip); fld1; fadd %st(1), %st")                                  \
  X(fadd_pseudo_infinity, 0, "fldt t_pseudo_inf(%rip); fld1; fadd %st(1), %st")                         \
  X(fadd_snan, 0, "fldt t_snan(%rip); fld1; fadd %st(1), %st")                                          \
  X(fadd_m64_snan, 0, "fld1; faddl d_snan(%rip)")                                                       \
  X(fadd_two_qnans, 0, "fldt t_qnan_low(%rip); fldt t_qnan_high(%rip); fadd %st(1), %st")               \
  X(fadd_two_qnans_swapped, 0, "fldt t_qnan_high(%rip); fldt t_qnan_low(%rip); fadd %st(1), %st")       \
  X(fadd_qnan_m64, 0, "fldt t_qnan_low(%rip); faddl d_qnan(%rip)")                                      \
  X(fdiv_ze_unmasked, QEMU_DIFFERS, "fldcw cw_ze_unmasked(%rip); fldz; fld1; fdiv %st(1), %st")         \
  X(fdivp_ze_unmasked, QEMU_DIFFERS, "fldcw cw_ze_unmasked(%rip); fld1; fldz; .byte 0xde, 0xf9")        \
  X(fadd_snan_ie_unmasked, QEMU_DIFFERS, "fldcw cw_ie_unmasked(%rip); fldt t_snan(%rip); fld1; fadd %st(1), %st") \
  X(fmul_oe_unmasked, QEMU_DIFFERS, "fldcw cw_oe_unmasked(%rip); fldt t_big(%rip); fmul %st(0), %st")   \
  X(fmul_ue_unmasked, QEMU_DIFFERS, "fldcw cw_ue_unmasked(%rip); fldt t_tiny(%rip); fmul %st(0), %st")  \
  X(fmul_de_unmasked, QEMU_DIFFERS, "fldcw cw_de_unmasked(%rip); fldt t_denormal(%rip); fld1; fmul %st(1), %st") \
  X(fdiv_pe_unmasked, QEMU_DIFFERS, "fldcw cw_pe_unmasked(%rip); fld1; fdivl d_3(%rip)")

#define X87_STACK(X)                                                                                    \
  X(fld_overflow, QEMU_DIFFERS, FILL8 "fld1")                                                           \
  X(fld_overflow_unmasked, QEMU_DIFFERS, "fldcw cw_ie_unmasked(%rip)\n" FILL8 "fld1")                   \
  X(fld_empty_st3, QEMU_DIFFERS, "fld %st(3)")                                                          \
  X(fadd_empty, QEMU_DIFFERS, "fld1; fadd %st(2), %st")                                                 \
  X(faddp_empty_unmasked, QEMU_DIFFERS, "fldcw cw_ie_unmasked(%rip); fld1; .byte 0xde, 0xc2")           \
  X(fdivp_empty, QEMU_DIFFERS, "fld1; .byte 0xde, 0xfa")                                                \
  X(fst_m64_empty, QEMU_DIFFERS, "fstl x87_mem(%rip)")                                                  \
  X(fstp_m32_empty, QEMU_DIFFERS, "fstps x87_mem(%rip)")                                                \
  X(fstp_m80_empty, QEMU_DIFFERS, "fstpt x87_mem(%rip)")                                                \
  X(fist_m16_empty, QEMU_DIFFERS, "fists x87_mem(%rip)")                                                \
  X(fistp_m64_empty, QEMU_DIFFERS, "fistpll x87_mem(%rip)")                                             \
  X(fbstp_empty, QEMU_DIFFERS, "fbstp x87_mem(%rip)")                                                   \
  X(fst_m64_empty_unmasked, QEMU_DIFFERS, "fldcw cw_ie_unmasked(%rip); fstpl x87_mem(%rip)")            \
  X(fstp_st1_empty, QEMU_DIFFERS, "fld1; fstp %st(0); fstp %st(1)")                                     \
  X(fcom_empty, QEMU_DIFFERS, "fld1; fcom %st(3)")                                                      \
  X(fcompp_empty, QEMU_DIFFERS, "fld1; fcompp")                                                         \
  X(fcompp_empty_unmasked, QEMU_DIFFERS, "fldcw cw_ie_unmasked(%rip); fld1; fcompp")                    \
  X(fxch_empty, QEMU_DIFFERS, "fld1; fxch %st(3)")                                                      \
  X(fxch_empty_unmasked, QEMU_DIFFERS, "fldcw cw_ie_unmasked(%rip); fld1; fxch %st(3)")                 \
  X(fchs_empty, QEMU_DIFFERS, "fchs")                                                                   \
  X(fsqrt_empty, QEMU_DIFFERS, "fsqrt")                                                                 \
  X(fscale_empty, QEMU_DIFFERS, "fld1; fscale")                                                         \
  X(fprem_empty, QEMU_DIFFERS, "fld1; fprem")                                                           \
  X(fyl2x_empty, QEMU_DIFFERS, "fld1; fyl2x")                                                           \
  X(fpatan_empty_unmasked, QEMU_DIFFERS, "fldcw cw_ie_unmasked(%rip); fld1; fpatan")                    \
  X(fptan_overflow, QEMU_DIFFERS, FILL8 "fptan")                                                        \
  X(fsincos_overflow, QEMU_DIFFERS, FILL8 "fsincos")                                                    \
  X(fxtract_overflow, QEMU_DIFFERS, FILL8 "fxtract")                                                    \
  X(fxtract_empty, QEMU_DIFFERS, "fxtract")                                                             \
  X(fptan_overflow_unmasked, QEMU_DIFFERS, "fldcw cw_ie_unmasked(%rip)\n" FILL8 "fptan")                \
  X(fsin_empty, QEMU_DIFFERS, "fsin")                                                                   \
  X(fcmovb_empty, SHOW_FLAGS | QEMU_DIFFERS, "fld1; " SET_FLAGS(0x2) "fcmovb %st(2), %st")              \
  X(fldpi_overflow, QEMU_DIFFERS, FILL8 "fldpi")                                                        \
  X(fild_overflow, QEMU_DIFFERS, FILL8 "filds w_7(%rip)")

#define X87_TRANSFER(X)                                                                                 \
  X(fld_m32, 0, "flds s_m0p1(%rip)")                                                                    \
  X(fld_m32_snan, 0, "flds s_snan(%rip)")                                                               \
  X(fld_m32_denormal, QEMU_DIFFERS, "flds s_denormal(%rip)")                                            \
  X(fld_m32_de_unmasked, QEMU_DIFFERS, "fldcw cw_de_unmasked(%rip); flds s_denormal(%rip)")             \
  X(fld_m64, 0, "fldl d_0p1(%rip)")                                                                     \
  X(fld_m64_snan, 0, "fldl d_snan(%rip)")                                                               \
  X(fld_m64_snan_unmasked, QEMU_DIFFERS, "fldcw cw_ie_unmasked(%rip); fldl d_snan(%rip)")               \
  X(fld_m64_denormal, QEMU_DIFFERS, "fldl d_denormal(%rip)")                                            \
  X(fld_m80_snan, 0, "fldt t_snan(%rip)")                                                               \
  X(fld_m80_unnormal, 0, "fldt t_unnormal(%rip)")                                                       \
  X(fld_m80_denormal, 0, "fldt t_denormal(%rip)")                                                       \
  X(fld_st1, 0, "fld1; fldz; fld %st(1)")                                                               \
  X(fst_st1, 0, "fld1; fldz; fst %st(1)")                                                               \
  X(fst_st3_empty_destination, QEMU_DIFFERS, "fld1; fst %st(3)")                                        \
  X(fstp_st1, 0, "fld1; fldz; fstp %st(1)")                                                             \
  X(fstp_st0, 0, "fld1; fldz; fstp %st(0)")                                                             \
  X(fstp1_alias, 0, "fld1; fldz; .byte 0xd9, 0xd9")                                                     \
  X(fstp8_alias, 0, "fld1; fldz; .byte 0xdf, 0xd1")                                                     \
  X(fstp9_alias, 0, "fld1; fldz; .byte 0xdf, 0xd9")                                                     \
  X(fst_m32_0p1, QEMU_DIFFERS, "fldl d_0p1(%rip); fsts x87_mem(%rip)")                                  \
  X(fst_m32_0p1_down, 0, "fldcw cw_down(%rip); fldl d_0p1(%rip); fsts x87_mem(%rip)")                   \
  X(fst_m32_overflow, QEMU_DIFFERS, "fldl d_1e300(%rip); fsts x87_mem(%rip)")                           \
  X(fst_m32_overflow_toward_zero, 0, "fldcw cw_zero(%rip); fldl d_1e300(%rip); fsts x87_mem(%rip)")     \
  X(fst_m32_underflow, 0, "fldl d_1em300(%rip); fsts x87_mem(%rip)")                                    \
  X(fst_m32_underflow_up, QEMU_DIFFERS, "fldcw cw_up(%rip); fldl d_1em300(%rip); fsts x87_mem(%rip)")   \
  X(fst_m32_snan, 0, "fldt t_snan(%rip); fsts x87_mem(%rip)")                                           \
  X(fst_m32_indefinite, 0, "fldz; fldz; fdiv %st(1), %st; fsts x87_mem(%rip)")                          \
  X(fst_m64_denormal, 0, "fldt t_tiny(%rip); fstl x87_mem(%rip)")                                       \
  X(fst_m64_third, 0, "fldt t_third(%rip); fstl x87_mem(%rip)")                                         \
  X(fstp_m64_oe_unmasked, QEMU_DIFFERS, "fldcw cw_oe_unmasked(%rip); fldt t_big(%rip); fstpl x87_mem(%rip)") \
  X(fstp_m32_ue_unmasked, QEMU_DIFFERS, "fldcw cw_ue_unmasked(%rip); fldl d_1em300(%rip); fstps x87_mem(%rip)") \
  X(fstp_m32_pe_unmasked, QEMU_DIFFERS, "fldcw cw_pe_unmasked(%rip); fldl d_0p1(%rip); fstps x87_mem(%rip)") \
  X(fstp_m80, 0, "fldt t_third(%rip); fstpt x87_mem(%rip)")                                             \
  X(fstp_m80_snan, 0, "fldt t_snan(%rip); fstpt x87_mem(%rip)")                                         \
  X(fild_m16, 0, "filds w_m3(%rip)")                                                                    \
  X(fild_m32, 0, "fildl l_1e6(%rip)")                                                                   \
  X(fild_m64, 0, "fildll q_max(%rip)")                                                                  \
  X(fist_m16_nearest, 0, "fldl d_2p5(%rip); fists x87_mem(%rip)")                                       \
  X(fist_m16_up, QEMU_DIFFERS, "fldcw cw_up(%rip); fldl d_2p5(%rip); fists x87_mem(%rip)")              \
  X(fist_m16_overflow, 0, "fldl d_40000(%rip); fists x87_mem(%rip)")                                    \
  X(fist_m16_overflow_unmasked, QEMU_DIFFERS, "fldcw cw_ie_unmasked(%rip); fldl d_40000(%rip); fists x87_mem(%rip)") \
  X(fist_m32_qnan, 0, "fldl d_qnan(%rip); fistl x87_mem(%rip)")                                         \
  X(fist_m32_infinity, 0, "fldl d_minf(%rip); fistl x87_mem(%rip)")                                     \
  X(fistp_m32, 0, "fldl d_m2p5(%rip); fistpl x87_mem(%rip)")                                            \
  X(fistp_m64, 0, "fildll q_m5(%rip); fistpll x87_mem(%rip)")                                           \
  X(fistp_m64_overflow, 0, "fldl d_1e20(%rip); fistpll x87_mem(%rip)")                                  \
  X(fisttp_m16, 0, "fldl d_m2p5(%rip); fisttps x87_mem(%rip)")                                          \
  X(fisttp_m32, 0, "fldcw cw_up(%rip); fldl d_2p5(%rip); fisttpl x87_mem(%rip)")                        \
  X(fisttp_m64, 0, "fldl d_m70000(%rip); fisttpll x87_mem(%rip)")                                       \
  X(fisttp_m16_overflow, 0, "fldl d_m70000(%rip); fisttps x87_mem(%rip)")                               \
  X(fbld, 0, "fbld p_123456789(%rip)")                                                                  \
  X(fbld_max, 0, "fbld p_max(%rip)")                                                                    \
  X(fbstp, 0, "fbld p_123456789(%rip); fbstp x87_mem(%rip)")                                            \
  X(fbstp_max, 0, "fbld p_max(%rip); fbstp x87_mem(%rip)")                                              \
  X(fbstp_nearest, 0, "fldl d_2p5(%rip); fbstp x87_mem(%rip)")                                          \
  X(fbstp_down, QEMU_DIFFERS, "fldcw cw_down(%rip); fldl d_m2p5(%rip); fbstp x87_mem(%rip)")            \
  X(fbstp_overflow, 0, "fldl d_1e20(%rip); fbstp x87_mem(%rip)")                                        \
  X(fbstp_qnan, 0, "fldl d_qnan(%rip); fbstp x87_mem(%rip)")                                            \
  X(fld1, 0, "fld1")                                                                                    \
  X(fldl2t, 0, "fldl2t")                                                                                \
  X(fldl2e, 0, "fldl2e")                                                                                \
  X(fldpi, 0, "fldpi")                                                                                  \
  X(fldlg2, 0, "fldlg2")                                                                                \
  X(fldln2, 0, "fldln2")                                                                                \
  X(fldz, 0, "fldz")                                                                                    \
  X(fldl2t_up, 0, "fldcw cw_up(%rip); fldl2t")                                                          \
  X(fldl2e_down, 0, "fldcw cw_down(%rip); fldl2e")                                                      \
  X(fldpi_down, 0, "fldcw cw_down(%rip); fldpi")                                                        \
  X(fldpi_zero, 0, "fldcw cw_zero(%rip); fldpi")                                                        \
  X(fldlg2_down, 0, "fldcw cw_down(%rip); fldlg2")                                                      \
  X(fldln2_down, 0, "fldcw cw_down(%rip); fldln2")                                                      \
  X(fldpi_single, 0, "fldcw cw_single(%rip); fldpi")                                                    \
  X(fxch, 0, "fld1; fldz; fxch %st(1)")                                                                 \
  X(fxch_st0, 0, "fld1; fxch %st(0)")                                                                   \
  X(fxch4_alias, 0, "fld1; fldz; .byte 0xdd, 0xc9")                                                     \
  X(fxch7_alias, 0, "fld1; fldz; .byte 0xdf, 0xc9")                                                     \
  X(fchs_positive, 0, "fldl d_1p5(%rip); fchs")                                                         \
  X(fchs_snan, 0, "fldt t_snan(%rip); fchs")                                                            \
  X(fabs_negative, 0, "fldl d_m2p25(%rip); fabs")                                                       \
  X(fabs_qnan, 0, "fldt t_qnan_high(%rip); fabs")                                                       \
  X(fdecstp, 0, "fld1; fdecstp")                                                                        \
  X(fincstp, 0, "fld1; fincstp")                                                                        \
  X(ffree, 0, "fld1; fldz; ffree %st(1)")                                                               \
  X(ffreep, 0, "fld1; fldz; fldpi; .byte 0xdf, 0xc1")                                                   \
  X(fnop, 0, "fld1; fnop")                                                                              \
  X(fcmovb_taken, SHOW_FLAGS, "fld1; fldz; " SET_FLAGS(0x3) "fcmovb %st(1), %st")                       \
  X(fcmovb_not_taken, SHOW_FLAGS, "fld1; fldz; " SET_FLAGS(0x2) "fcmovb %st(1), %st")                   \
  X(fcmove_taken, SHOW_FLAGS, "fld1; fldz; " SET_FLAGS(0x42) "fcmove %st(1), %st")                      \
  X(fcmove_not_taken, SHOW_FLAGS, "fld1; fldz; " SET_FLAGS(0x2) "fcmove %st(1), %st")                   \
  X(fcmovbe_taken_cf, SHOW_FLAGS, "fld1; fldz; " SET_FLAGS(0x3) "fcmovbe %st(1), %st")                  \
  X(fcmovbe_taken_zf, SHOW_FLAGS, "fld1; fldz; " SET_FLAGS(0x42) "fcmovbe %st(1), %st")                 \
  X(fcmovbe_not_taken, SHOW_FLAGS, "fld1; fldz; " SET_FLAGS(0x8d6) "fcmovbe %st(1), %st")               \
  X(fcmovu_taken, SHOW_FLAGS, "fld1; fldz; " SET_FLAGS(0x6) "fcmovu %st(1), %st")                       \
  X(fcmovu_not_taken, SHOW_FLAGS, "fld1; fldz; " SET_FLAGS(0x8d3) "fcmovu %st(1), %st")                 \
  X(fcmovnb_taken, SHOW_FLAGS, "fld1; fldz; " SET_FLAGS(0x2) "fcmovnb %st(1), %st")                     \
  X(fcmovnb_not_taken, SHOW_FLAGS, "fld1; fldz; " SET_FLAGS(0x3) "fcmovnb %st(1), %st")                 \
  X(fcmovne_taken, SHOW_FLAGS, "fld1; fldz; " SET_FLAGS(0x2) "fcmovne %st(1), %st")                     \
  X(fcmovne_not_taken, SHOW_FLAGS, "fld1; fldz; " SET_FLAGS(0x42) "fcmovne %st(1), %st")                \
  X(fcmovnbe_taken, SHOW_FLAGS, "fld1; fldz; " SET_FLAGS(0x896) "fcmovnbe %st(1), %st")                 \
  X(fcmovnbe_not_taken, SHOW_FLAGS, "fld1; fldz; " SET_FLAGS(0x42) "fcmovnbe %st(1), %st")              \
  X(fcmovnu_taken, SHOW_FLAGS, "fld1; fldz; " SET_FLAGS(0x2) "fcmovnu %st(1), %st")                     \
  X(fcmovnu_not_taken, SHOW_FLAGS, "fld1; fldz; " SET_FLAGS(0x6) "fcmovnu %st(1), %st")

#define X87_COMPARE(X)                                                                                  \
  X(fcom_greater, 0, PAIR "fcom %st(1)")                                                                \
  X(fcom_less, 0, "fldl d_1p5(%rip); fldl d_m2p25(%rip); fcom %st(1)")                                  \
  X(fcom_equal_zeros, 0, "fldz; fldl d_m0(%rip); fcom %st(1)")                                          \
  X(fcom_qnan, 0, QNAN_PAIR "fcom %st(1)")                                                              \
  X(fcom_qnan_unmasked, 0, "fldcw cw_ie_unmasked(%rip)\n" QNAN_PAIR "fcom %st(1)")                      \
  X(fucom_qnan, 0, QNAN_PAIR "fucom %st(1)")                                                            \
  X(fucom_snan, 0, "fldt t_snan(%rip); fld1; fucom %st(1)")                                             \
  X(fcom_infinities, 0, "fldl d_inf(%rip); fldl d_minf(%rip); fcom %st(1)")                             \
  X(fcom_denormal, QEMU_DIFFERS, "fldt t_denormal(%rip); fldz; fcom %st(1)")                            \
  X(fcom_unnormal, 0, "fldt t_unnormal(%rip); fld1; fucom %st(1)")                                      \
  X(fcom_m32, 0, "fldl d_1p5(%rip); fcoms s_1p5(%rip)")                                                 \
  X(fcom_m32_denormal, QEMU_DIFFERS, "fldz; fcoms s_denormal(%rip)")                                    \
  X(fcomp_m64, 0, "fldl d_1p5(%rip); fcompl d_m2p25(%rip)")                                             \
  X(fcomp, 0, PAIR "fcomp %st(1)")                                                                      \
  X(fcompp, 0, PAIR "fcompp")                                                                           \
  X(fucomp, 0, QNAN_PAIR "fucomp %st(1)")                                                               \
  X(fucompp, 0, QNAN_PAIR "fucompp")                                                                    \
  X(fcom2_alias, 0, PAIR ".byte 0xdc, 0xd1")                                                            \
  X(fcomp3_alias, 0, PAIR ".byte 0xdc, 0xd9")                                                           \
  X(fcomp5_alias, 0, PAIR ".byte 0xde, 0xd1")                                                           \
  X(ficom_m16, 0, "fldl d_m2p25(%rip); ficoms w_m3(%rip)")                                              \
  X(ficomp_m32, 0, "fldl d_1p5(%rip); ficompl l_1e6(%rip)")                                             \
  X(ficom_m32_equal, 0, "fildl l_m2(%rip); ficoml l_m2(%rip)")                                          \
  X(ftst_negative, 0, "fldl d_m2p25(%rip); ftst")                                                       \
  X(ftst_zero, 0, "fldl d_m0(%rip); ftst")                                                              \
  X(ftst_qnan, 0, "fldl d_qnan(%rip); ftst")                                                            \
  X(ftst_empty, QEMU_DIFFERS, "ftst")                                                                   \
  X(fxam_zero, 0, "fldz; fxam")                                                                         \
  X(fxam_negative_zero, 0, "fldl d_m0(%rip); fxam")                                                     \
  X(fxam_denormal, 0, "fldt t_denormal(%rip); fxam")                                                    \
  X(fxam_pseudo_denormal, 0, "fldt t_pseudo_denormal(%rip); fxam")                                      \
  X(fxam_normal, 0, "fldl d_1p5(%rip); fxam")                                                           \
  X(fxam_negative_normal, 0, "fldl d_m2p25(%rip); fxam")                                                \
  X(fxam_infinity, 0, "fldl d_inf(%rip); fxam")                                                         \
  X(fxam_negative_infinity, 0, "fldl d_minf(%rip); fxam")                                               \
  X(fxam_qnan, 0, "fldt t_qnan_high(%rip); fxam")                                                       \
  X(fxam_snan, 0, "fldt t_snan(%rip); fxam")                                                            \
  X(fxam_unnormal, 0, "fldt t_unnormal(%rip); fxam")                                                    \
  X(fxam_pseudo_infinity, 0, "fldt t_pseudo_inf(%rip); fxam")                                           \
  X(fxam_empty, 0, "fxam")                                                                              \
  X(fxam_empty_negative, 0, "fldl d_m1(%rip); ffree %st(0); fxam")                                      \
  X(fcomi_greater, SHOW_FLAGS | QEMU_DIFFERS, PAIR SET_FLAGS(0x8d7) "fcomi %st(1), %st")                \
  X(fcomi_less, SHOW_FLAGS | QEMU_DIFFERS, "fldl d_1p5(%rip); fldl d_m2p25(%rip); " SET_FLAGS(0x8d6) "fcomi %st(1), %st") \
  X(fcomi_equal, SHOW_FLAGS | QEMU_DIFFERS, "fldz; fldl d_m0(%rip); " SET_FLAGS(0x8d6) "fcomi %st(1), %st") \
  X(fcomi_qnan, SHOW_FLAGS | QEMU_DIFFERS, QNAN_PAIR SET_FLAGS(0x8d2) "fcomi %st(1), %st")              \
  X(fcomi_qnan_unmasked, SHOW_FLAGS | QEMU_DIFFERS, "fldcw cw_ie_unmasked(%rip)\n" QNAN_PAIR SET_FLAGS(0x8d2) "fcomi %st(1), %st") \
  X(fucomi_qnan, SHOW_FLAGS | QEMU_DIFFERS, QNAN_PAIR SET_FLAGS(0x8d2) "fucomi %st(1), %st")            \
  X(fucomi_snan, SHOW_FLAGS, "fldt t_snan(%rip); fld1; " SET_FLAGS(0x2) "fucomi %st(1), %st")           \
  X(fcomip, SHOW_FLAGS | QEMU_DIFFERS, PAIR SET_FLAGS(0x8d7) "fcomip %st(1), %st")                      \
  X(fucomip, SHOW_FLAGS, "fldl d_1p5(%rip); fldl d_m2p25(%rip); " SET_FLAGS(0x2) "fucomip %st(1), %st") \
  X(fcomi_empty, SHOW_FLAGS | QEMU_DIFFERS, "fld1; " SET_FLAGS(0x2) "fcomi %st(3), %st")                \
  X(fucomip_empty_unmasked, SHOW_FLAGS | QEMU_DIFFERS, "fldcw cw_ie_unmasked(%rip); fld1; " SET_FLAGS(0x8d2) "fucomip %st(3), %st")

#define X87_FUNCTIONS(X)                                                                                \
  X(fscale, 0, "fldl d_3(%rip); fldl d_1p5(%rip); fscale")                                              \
  X(fscale_truncates, 0, "fldl d_m2p5(%rip); fld1; fscale")                                             \
  X(fscale_overflow, QEMU_DIFFERS, "fldl d_1e20(%rip); fld1; fscale")                                   \
  X(fscale_zero_by_infinity, 0, "fldl d_inf(%rip); fldz; fscale")                                       \
  X(fprem_10_3, 0, "fldl d_3(%rip); fldl d_10(%rip); fprem")                                            \
  X(fprem_11_3, 0, "fldl d_3(%rip); fldl d_11(%rip); fprem")                                            \
  X(fprem1_11_3, QEMU_DIFFERS, "fldl d_3(%rip); fldl d_11(%rip); fprem1")                               \
  X(fprem1_10_3, QEMU_DIFFERS, "fldl d_3(%rip); fldl d_10(%rip); fprem1")                               \
  X(fprem_negative, 0, "fldl d_3(%rip); fldl d_m2p25(%rip); fprem")                                     \
  X(fprem_partial, 0, "fldl d_3(%rip); fldt t_1e4000(%rip); fprem")                                     \
  X(fprem1_partial, 0, "fldl d_3(%rip); fldt t_1e4000(%rip); fprem1")                                   \
  X(fprem_by_zero, 0, "fldz; fld1; fprem")                                                              \
  X(fprem_infinity, 0, "fld1; fldl d_inf(%rip); fprem")                                                 \
  X(frndint_nearest, 0, "fldl d_2p5(%rip); frndint")                                                    \
  X(frndint_down, QEMU_DIFFERS, "fldcw cw_down(%rip); fldl d_m2p5(%rip); frndint")                      \
  X(frndint_up, QEMU_DIFFERS, "fldcw cw_up(%rip); fldl d_2p5(%rip); frndint")                           \
  X(frndint_zero, 0, "fldcw cw_zero(%rip); fldl d_m2p5(%rip); frndint")                                 \
  X(frndint_exact, 0, "fldl d_m1(%rip); frndint")                                                       \
  X(fxtract, 0, "fldl d_10(%rip); fxtract")                                                             \
  X(fxtract_zero, 0, "fldz; fxtract")                                                                   \
  X(fxtract_negative_zero, 0, "fldl d_m0(%rip); fxtract")                                               \
  X(fxtract_zero_unmasked, QEMU_DIFFERS, "fldcw cw_ze_unmasked(%rip); fldz; fxtract")                   \
  X(fxtract_infinity, 0, "fldl d_minf(%rip); fxtract")                                                  \
  X(fxtract_denormal, 0, "fldt t_denormal(%rip); fxtract")

#define X87_TRANSCENDENTAL(X)                                                                           \
  X(f2xm1_zero, 0, "fldz; f2xm1")                                                                       \
  X(f2xm1_one, QEMU_DIFFERS, "fld1; f2xm1")                                                             \
  X(f2xm1_minus_one, SHOW_APPROXIMATE | QEMU_DIFFERS, "fldl d_m1(%rip); f2xm1")                         \
  X(f2xm1_half, SHOW_APPROXIMATE, "fldl d_0p5(%rip); f2xm1")                                            \
  X(f2xm1_minus_half, SHOW_APPROXIMATE, "fldl d_m0p5(%rip); f2xm1")                                     \
  X(fyl2x_8, QEMU_DIFFERS, "fldl d_3(%rip); fldl d_8(%rip); fyl2x")                                     \
  X(fyl2x_half, QEMU_DIFFERS, "fld1; fldl d_0p5(%rip); fyl2x")                                          \
  X(fyl2x_one, 0, "fldl d_3(%rip); fld1; fyl2x")                                                        \
  X(fyl2x_zero, 0, "fld1; fldz; fyl2x")                                                                 \
  X(fyl2x_negative, 0, "fld1; fldl d_m1(%rip); fyl2x")                                                  \
  X(fyl2x_infinity, 0, "fldl d_m1(%rip); fldl d_inf(%rip); fyl2x")                                      \
  X(fyl2x_ten, SHOW_APPROXIMATE, "fld1; fldl d_10(%rip); fyl2x")                                        \
  X(fyl2xp1_zero, 0, "fldl d_3(%rip); fldz; fyl2xp1")                                                   \
  X(fyl2xp1_tenth, SHOW_APPROXIMATE, "fld1; fldl d_0p1(%rip); fyl2xp1")                                 \
  X(fsin_zero, 0, "fldz; fsin")                                                                         \
  X(fsin_negative_zero, 0, "fldl d_m0(%rip); fsin")                                                     \
  X(fcos_zero, 0, "fldz; fcos")                                                                         \
  X(fsincos_zero, 0, "fldz; fsincos")                                                                   \
  X(fptan_zero, 0, "fldz; fptan")                                                                       \
  X(fsin_half, SHOW_APPROXIMATE | QEMU_DIFFERS, "fldl d_0p5(%rip); fsin")                               \
  X(fcos_half, SHOW_APPROXIMATE | QEMU_DIFFERS, "fldl d_0p5(%rip); fcos")                               \
  X(fsincos_half, SHOW_APPROXIMATE | QEMU_DIFFERS, "fldl d_0p5(%rip); fsincos")                         \
  X(fptan_half, SHOW_APPROXIMATE | QEMU_DIFFERS, "fldl d_0p5(%rip); fptan")                             \
  X(fsin_out_of_range, QEMU_DIFFERS, "fldt t_2p63(%rip); fsin")                                         \
  X(fcos_out_of_range, QEMU_DIFFERS, "fldt t_2p63(%rip); fcos")                                         \
  X(fsincos_out_of_range, QEMU_DIFFERS, "fldt t_2p63(%rip); fsincos")                                   \
  X(fptan_out_of_range, QEMU_DIFFERS, "fldt t_2p63(%rip); fptan")                                       \
  X(fsin_infinity, QEMU_DIFFERS, "fldl d_inf(%rip); fsin")                                              \
  X(fcos_snan, QEMU_DIFFERS, "fldt t_snan(%rip); fcos")                                                 \
  X(fpatan_p0_p0, 0, "fldz; fldz; fpatan")                                                              \
  X(fpatan_m0_p0, 0, "fldl d_m0(%rip); fldz; fpatan")                                                   \
  X(fpatan_p0_m0, SHOW_APPROXIMATE, "fldz; fldl d_m0(%rip); fpatan")                                    \
  X(fpatan_m0_m0, SHOW_APPROXIMATE, "fldl d_m0(%rip); fldl d_m0(%rip); fpatan")                         \
  X(fpatan_1_infinity, 0, "fld1; fldl d_inf(%rip); fpatan")                                             \
  X(fpatan_m1_infinity, 0, "fldl d_m1(%rip); fldl d_inf(%rip); fpatan")                                 \
  X(fpatan_infinity_1, SHOW_APPROXIMATE, "fldl d_inf(%rip); fld1; fpatan")                              \
  X(fpatan_minfinity_minfinity, SHOW_APPROXIMATE, "fldl d_minf(%rip); fldl d_minf(%rip); fpatan")       \
  X(fpatan_1_1, SHOW_APPROXIMATE, "fld1; fld1; fpatan")                                                 \
  X(fpatan_qnan, 0, "fldl d_qnan(%rip); fld1; fpatan")

#define X87_CODES(X)                                                                                    \
  X(codes_fadd, QEMU_DIFFERS, PAIR PRESET_CODES "fadd %st(1), %st")                                     \
  X(codes_fdiv_rounded_up, 0, "fld1; fldl d_3(%rip)\n" PRESET_CODES "fdivr %st(1), %st")                \
  X(codes_fld1, QEMU_DIFFERS, PRESET_CODES "fld1")                                                      \
  X(codes_fst_m64, QEMU_DIFFERS, "fldl d_1p5(%rip)\n" PRESET_CODES "fstl x87_mem(%rip)")                \
  X(codes_fistp_m32, QEMU_DIFFERS, "fldl d_2p5(%rip)\n" PRESET_CODES "fistpl x87_mem(%rip)")            \
  X(codes_fchs, QEMU_DIFFERS, "fld1\n" PRESET_CODES "fchs")                                             \
  X(codes_fxch, QEMU_DIFFERS, PAIR PRESET_CODES "fxch %st(1)")                                          \
  X(codes_fcmovb, 0, PAIR PRESET_CODES "fcmovb %st(1), %st")                                            \
  X(codes_fnop, 0, "fld1\n" PRESET_CODES "fnop")                                                        \
  X(codes_ffree, QEMU_DIFFERS, PAIR PRESET_CODES "ffree %st(1)")                                        \
  X(codes_fincstp, QEMU_DIFFERS, "fld1\n" PRESET_CODES "fincstp")                                       \
  X(codes_fdecstp, QEMU_DIFFERS, "fld1\n" PRESET_CODES "fdecstp")                                       \
  X(codes_fcom, QEMU_DIFFERS, PAIR PRESET_CODES "fcom %st(1)")                                          \
  X(codes_fxam, 0, "fld1\n" PRESET_CODES "fxam")                                                        \
  X(codes_fsqrt, QEMU_DIFFERS, "fldl d_2(%rip)\n" PRESET_CODES "fsqrt")                                 \
  X(codes_fscale, QEMU_DIFFERS, PAIR PRESET_CODES "fscale")                                             \
  X(codes_frndint, QEMU_DIFFERS, "fldl d_2p5(%rip)\n" PRESET_CODES "frndint")                           \
  X(codes_fxtract, QEMU_DIFFERS, "fldl d_10(%rip)\n" PRESET_CODES "fxtract")                            \
  X(codes_fprem_partial, 0, "fldl d_3(%rip); fldt t_1e4000(%rip)\n" PRESET_CODES "fprem")               \
  X(codes_fprem1_partial, 0, "fldl d_3(%rip); fldt t_1e4000(%rip)\n" PRESET_CODES "fprem1")             \
  X(codes_fprem_complete, 0, "fldl d_3(%rip); fldl d_8(%rip)\n" PRESET_CODES "fprem")                   \
  X(codes_fsin, SHOW_APPROXIMATE | QEMU_DIFFERS, "fldl d_0p5(%rip)\n" PRESET_CODES "fsin")              \
  X(codes_fsin_out_of_range, QEMU_DIFFERS, "fldt t_2p63(%rip)\n" PRESET_CODES "fsin")                   \
  X(codes_fptan, SHOW_APPROXIMATE | QEMU_DIFFERS, "fldl d_0p5(%rip)\n" PRESET_CODES "fptan")            \
  X(codes_fpatan, SHOW_APPROXIMATE, PAIR PRESET_CODES "fpatan")                                         \
  X(codes_fyl2x, SHOW_APPROXIMATE, PAIR PRESET_CODES "fabs; fyl2x")

X87_ARITHMETIC(X87_CASE_SNIPPET)
X87_STACK(X87_CASE_SNIPPET)
X87_TRANSFER(X87_CASE_SNIPPET)
X87_COMPARE(X87_CASE_SNIPPET)
X87_FUNCTIONS(X87_CASE_SNIPPET)
X87_TRANSCENDENTAL(X87_CASE_SNIPPET)
X87_CODES(X87_CASE_SNIPPET)
static const struct x87_case x87_arithmetic[] = {X87_ARITHMETIC(X87_CASE_ENTRY)};
static const struct x87_case x87_stack[] = {X87_STACK(X87_CASE_ENTRY)};
static const struct x87_case x87_transfer[] = {X87_TRANSFER(X87_CASE_ENTRY)};
static const struct x87_case x87_compare[] = {X87_COMPARE(X87_CASE_ENTRY)};
static const struct x87_case x87_functions[] = {X87_FUNCTIONS(X87_CASE_ENTRY)};
static const struct x87_case x87_transcendental[] = {X87_TRANSCENDENTAL(X87_CASE_ENTRY)};
static const struct x87_case x87_codes[] = {X87_CODES(X87_CASE_ENTRY)};

/* ---- the last-instruction fields (SDM Vol. 1, 8.1.8, 8.1.9) ----
 * Each snippet runs one instruction after a setup and stores the environment;
 * addresses are printed relative to the instruction and to its operand. */
SNIPPET(ptr_fadd_m64, "fninit; fldl d_1p5(%rip)", "faddl d_3(%rip)", "fnstenv x87_out(%rip)");
SNIPPET(ptr_fadd_registers, "fninit; fldl d_1p5(%rip)", "fadd %st(0), %st", "fnstenv x87_out(%rip)");
SNIPPET(ptr_fnop, "fninit; fldl d_1p5(%rip)", "fnop", "fnstenv x87_out(%rip)");
SNIPPET(ptr_then_control, "fninit", "fldl d_1p5(%rip)",
        "fnclex; fldcw cw_down(%rip); fnstcw x87_mem(%rip); fnstsw %ax; fwait; .byte 0xdb, 0xe0, 0xdb, 0xe1, 0xdb, 0xe4\n"
        "fnstenv x87_mem(%rip); fldenv x87_mem(%rip); fnstenv x87_out(%rip)");
SNIPPET(ptr_unmasked, "fninit; fldcw cw_ze_unmasked(%rip); fldz; fldl d_1p5(%rip)", "fdiv %st(1), %st",
        "fnstenv x87_out(%rip); fninit");
SNIPPET(ptr_fstp_m80, "fninit; fldl d_1p5(%rip)", "fstpt x87_mem(%rip)", "fnstenv x87_out(%rip)");
SNIPPET(ptr_environment16, "fninit; fldl d_1p5(%rip)", "faddl d_3(%rip)", ".byte 0x66; fnstenv x87_out(%rip)");

static u16 x87_code_selector(void) {
  u16 v;
  __asm__ volatile("mov %%cs, %0" : "=r"(v));
  return v;
}
static u16 x87_data_selector(void) {
  u16 v;
  __asm__ volatile("mov %%ds, %0" : "=r"(v));
  return v;
}

static void x87_print_pointers(const char* name, void (*fn)(uptr), const char* insn, const void* operand) {
  catch_call(fn, 0);
  const u32 fip = x87_get16(x87_out, 12) | (u32)x87_get16(x87_out, 14) << 16;
  const u32 fdp = x87_get16(x87_out, 20) | (u32)x87_get16(x87_out, 22) << 16;
  kprintf("%s: fop=%03x fip=insn+%d fcs=%s fdp=operand+%d fds=%s\n", name, x87_get16(x87_out, 18) & 0x7ff,
          (int)(fip - (u32)(uptr)insn), x87_get16(x87_out, 16) == x87_code_selector() ? "cs" : "other",
          (int)(fdp - (u32)(uptr)operand), x87_get16(x87_out, 24) == x87_data_selector() ? "ds" : "other");
}

static void x87_pointer_sections(void) {
  section("last instruction: FOP FIP FCS FDP FDS");
  x87_print_pointers("fadd_m64", ptr_fadd_m64, ptr_fadd_m64_insn, &d_3);
  x87_print_pointers("fadd_registers_keeps_fdp", ptr_fadd_registers, ptr_fadd_registers_insn, &d_1p5);
  x87_print_pointers("fnop", ptr_fnop, ptr_fnop_insn, &d_1p5);
  x87_print_pointers("control_instructions_keep_them", ptr_then_control, ptr_then_control_insn, &d_1p5);
  x87_print_pointers("unmasked_exception", ptr_unmasked, ptr_unmasked_insn, &d_1p5);
  x87_print_pointers("fstp_m80", ptr_fstp_m80, ptr_fstp_m80_insn, x87_mem);
  catch_call(ptr_environment16, 0);
  kprintf("environment16: fcw=%04x fsw=%04x ftw=%04x fip=insn+%d fcs=%s fdp=operand+%d fds=%s\n",
          x87_get16(x87_out, 0), x87_get16(x87_out, 2), x87_get16(x87_out, 4),
          (int)(u16)(x87_get16(x87_out, 6) - (u16)(uptr)ptr_environment16_insn),
          x87_get16(x87_out, 8) == x87_code_selector() ? "cs" : "other",
          (int)(u16)(x87_get16(x87_out, 10) - (u16)(uptr)&d_3),
          x87_get16(x87_out, 12) == x87_data_selector() ? "ds" : "other");
}

/* ---- FNSTENV FLDENV FNSAVE FRSTOR images (SDM Vol. 1, Figures 8-9 to 8-12) ----
 * The images to load hold their own pointers, so what is stored back is the
 * same on every machine. PRIME leaves known bits in R0-R7 (FNINIT keeps them),
 * which the tag word FNSTENV stores classifies. */
#define PRIME                                                                                           \
  "fninit; fldz; fld1; fldt t_snan(%rip); fldt t_denormal(%rip); fldpi; fldt t_unnormal(%rip); "        \
  "fld1; fldl2e; fninit\n"
u8 x87_image[108];
SNIPPET(env_fnstenv_masks, "fninit; fldcw cw_ze_unmasked(%rip); fld1", "fnstenv x87_out(%rip)", "fnstcw x87_mem(%rip)");
SNIPPET(env_fldenv, PRIME, "fldenv x87_image(%rip)", "fnstenv x87_out(%rip)");
SNIPPET(env_fldenv_push, PRIME, "fldenv x87_image(%rip); fld1; fldz", "fnstenv x87_out(%rip)");
SNIPPET(env_fldenv16, PRIME, ".byte 0x66; fldenv x87_image(%rip)", "fnstenv x87_out(%rip)");
SNIPPET(env_fnstenv16, PRIME, "fldenv x87_image(%rip); .byte 0x66; fnstenv x87_out(%rip)", "");
SNIPPET(env_fnsave, PRIME, "fldcw cw_up(%rip); fld1; fldpi; fldz; fldt t_snan(%rip); fnsave x87_out(%rip)",
        "fnstcw x87_mem(%rip); fnstsw x87_mem+2(%rip); fnstenv x87_mem+4(%rip)");
SNIPPET(env_frstor, PRIME, "frstor x87_image(%rip)", "fnsave x87_out(%rip)");
SNIPPET(env_frstor_fadd, PRIME, "frstor x87_image(%rip); fadd %st(1), %st", "fnsave x87_out(%rip)");
SNIPPET(env_fnsave16, PRIME, "fldenv x87_image(%rip); .byte 0x66; fnsave x87_out(%rip)", "");
SNIPPET(env_frstor16, PRIME, ".byte 0x66; frstor x87_image(%rip)", "fnsave x87_out(%rip)");

static void x87_print_words(const char* name, const u8* p, unsigned bytes) {
  kprintf("%s:", name);
  for (unsigned i = 0; i < bytes; i += 2) kprintf(" %04x", x87_get16(p, i));
  kprintf("\n");
}
static void x87_put_words(u8* p, const u16* words, unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    p[2 * i] = (u8)words[i];
    p[2 * i + 1] = (u8)(words[i] >> 8);
  }
}
/* A 32-bit protected-mode environment: FCW (round up), FSW with TOP 5 and C3 C2
 * C0 and masked flags, tags R0-R3 empty, R4-R7 full; FIP, FCS and FOP, FDP, FDS. */
static void x87_craft_environment32(void) {
  memset(x87_image, 0, sizeof x87_image);
  const u16 words[] = {0x0b7f, 0xffff, 0x6d27, 0xffff, 0x00ff, 0xffff, 0x5678,
                       0x1234, 0x002b, 0x07cd, 0x3210, 0x7654, 0x0033, 0xffff};
  x87_put_words(x87_image, words, 14);
}
/* The 16-bit protected-mode one: FCW (53 bits), FSW with TOP 6, tags R0 R1 full. */
static void x87_craft_environment16(void) {
  memset(x87_image, 0, sizeof x87_image);
  const u16 words[] = {0x027f, 0x4700 | 6 << 11, 0xfff0, 0x1357, 0x0042, 0x2468, 0x0018};
  x87_put_words(x87_image, words, 7);
}
static void x87_print_registers(const char* name, const u8* p, unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    kprintf("%s.st%u: %04x:%016llx\n", name, i, x87_get16(p, 10 * i + 8), (unsigned long long)x87_get64(p, 10 * i));
  }
}

static void x87_environment_sections(void) {
  section("FNSTENV, FLDENV");
  catch_call(env_fnstenv_masks, 0);
  kprintf("fnstenv_masks_exceptions: image fcw=%04x, then fcw=%04x\n", x87_get16(x87_out, 0), x87_get16(x87_mem, 0));
  x87_craft_environment32();
  catch_call(env_fldenv, 0);
  x87_print_words("fldenv32", x87_out, 28);
  catch_call(env_fldenv_push, 0);
  x87_print_words("fldenv32_then_push", x87_out, 12);
  catch_call(env_fnstenv16, 0);
  x87_print_words("fnstenv16", x87_out, 14);
  x87_craft_environment16();
  catch_call(env_fldenv16, 0);
  x87_print_words("fldenv16", x87_out, 28);

  section("FNSAVE, FRSTOR");
  memset(x87_mem, 0, sizeof x87_mem);
  catch_call(env_fnsave, 0);
  x87_print_words("fnsave.fcw_fsw_ftw", x87_out, 12);
  x87_print_registers("fnsave", x87_out + 28, 8);
  kprintf("fnsave_initialises: fcw=%04x fsw=%04x ftw=%04x\n", x87_get16(x87_mem, 0), x87_get16(x87_mem, 2),
          x87_get16(x87_mem, 12));
  x87_craft_environment32();
  const u16 registers[] = {0, 0, 0, 0xc000, 0x3fff,   /* ST0 = R5 = 1.5 */
                           0, 0, 0, 0, 0,             /* ST1 = R6 = +0 */
                           0, 0, 0, 0x8000, 0xffff};  /* ST2 = R7 = -infinity */
  x87_put_words(x87_image + 28, registers, 15);
  catch_call(env_frstor, 0);
  x87_print_words("frstor.environment", x87_out, 28);
  x87_print_registers("frstor", x87_out + 28, 3);
  catch_call(env_frstor_fadd, 0);
  x87_print_words("frstor_then_fadd.fcw_fsw_ftw", x87_out, 12);
  x87_print_registers("frstor_then_fadd", x87_out + 28, 1);
  x87_craft_environment32();
  catch_call(env_fnsave16, 0);
  x87_print_words("fnsave16.environment", x87_out, 14);
  x87_print_registers("fnsave16", x87_out + 14, 2);
  x87_craft_environment16();
  const u16 registers16[] = {0, 0, 0, 0x8000, 0xc000,   /* ST0 = R6 = -2 */
                             0, 0, 0, 0xc000, 0x4000};  /* ST1 = R7 = 3 */
  x87_put_words(x87_image + 14, registers16, 10);
  catch_call(env_frstor16, 0);
  x87_print_words("frstor16.environment", x87_out, 28);
  x87_print_registers("frstor16", x87_out + 28, 2);
}

/* What the x87 kernel (qemu_differs 0) or the x87_sdm kernel (QEMU_DIFFERS)
 * prints before its own checks, which the host program prints too. */
static void x87_shared_sections(unsigned qemu_differs) {
  section("arithmetic: memory and register forms, rounding, precision, exceptions");
  x87_run_cases(x87_arithmetic, ARRAY_SIZE(x87_arithmetic), qemu_differs);
  section("stack overflow and underflow");
  x87_run_cases(x87_stack, ARRAY_SIZE(x87_stack), qemu_differs);
  section("loads, stores, constants, exchanges, conditional moves");
  x87_run_cases(x87_transfer, ARRAY_SIZE(x87_transfer), qemu_differs);
  section("compares, FXAM, FCOMI");
  x87_run_cases(x87_compare, ARRAY_SIZE(x87_compare), qemu_differs);
  section("FSCALE FPREM FRNDINT FXTRACT");
  x87_run_cases(x87_functions, ARRAY_SIZE(x87_functions), qemu_differs);
  section("transcendental instructions");
  x87_run_cases(x87_transcendental, ARRAY_SIZE(x87_transcendental), qemu_differs);
  section("the condition codes each instruction writes (C3 C2 C1 C0 set before it)");
  x87_run_cases(x87_codes, ARRAY_SIZE(x87_codes), qemu_differs);
  if (qemu_differs) {
    x87_pointer_sections();
    x87_environment_sections();
  }
}
