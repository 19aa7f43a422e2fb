/*
** check_synth.c — unit tests of the synth module: cell costs, netlist
** analysis (instance scaling, logic levels through the hierarchy, errors),
** VCD toggle counting, the power formula and the area conversion.
*/
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/rad_hash.h"
#include "tests/ck_tmp.h"
#include "synth/syn.h"
#include "synth/syn_liberty.h"

START_TEST(cell_costs)
{
    ck_assert_int_eq(syn_cell_transistors("$_NOT_"), 2);
    ck_assert_int_eq(syn_cell_transistors("$_NAND_"), 4);
    ck_assert_int_eq(syn_cell_transistors("$_NOR_"), 4);
    ck_assert_int_eq(syn_cell_transistors("$_AOI3_"), 6);
    ck_assert_int_eq(syn_cell_transistors("$_OAI4_"), 8);
    ck_assert_int_eq(syn_cell_transistors("$_DFF_P_"), 24);
    ck_assert_int_eq(syn_cell_transistors("$_DFFE_PP_"), 32);
    ck_assert_int_eq(syn_cell_transistors("$_DFF_PN0_"), 28);
    ck_assert_int_eq(syn_cell_transistors("$_DFFE_PN0P_"), 36);
    ck_assert_int_eq(syn_cell_transistors("$_SDFF_PP0_"), 28);
    ck_assert_int_eq(syn_cell_transistors("$_SDFFE_PP0P_"), 36);
    ck_assert_int_eq(syn_cell_transistors("$_DLATCH_P_"), 12);
    ck_assert_int_eq(syn_cell_transistors("$add"), -1);
    ck_assert_int_eq(syn_cell_transistors("neuron"), -1);
    ck_assert(syn_cell_is_seq("$_DFFE_PP_"));
    ck_assert(!syn_cell_is_seq("$_NAND_"));
}
END_TEST

/* chain2: a -> NOT -> NOT -> y (2 levels, 4 T).
** top: x -> FF r1 -> chain2 u0 -> chain2 u1 -> FF r2 -> y; also x -> NAND
** with r2 -> z (in->out 1 level, reg->out 1 level). */
static const char NETLIST[] =
"{\"modules\":{"
" \"chain2\":{\"attributes\":{},\"ports\":{"
"   \"a\":{\"direction\":\"input\",\"bits\":[2]},"
"   \"y\":{\"direction\":\"output\",\"bits\":[4]}},"
"  \"cells\":{"
"   \"n1\":{\"type\":\"$_NOT_\",\"port_directions\":{\"A\":\"input\",\"Y\":\"output\"},"
"          \"connections\":{\"A\":[2],\"Y\":[3]}},"
"   \"n2\":{\"type\":\"$_NOT_\",\"port_directions\":{\"A\":\"input\",\"Y\":\"output\"},"
"          \"connections\":{\"A\":[3],\"Y\":[4]}}}},"
" \"top\":{\"attributes\":{\"top\":\"1\"},\"ports\":{"
"   \"clk\":{\"direction\":\"input\",\"bits\":[2]},"
"   \"x\":{\"direction\":\"input\",\"bits\":[3]},"
"   \"y\":{\"direction\":\"output\",\"bits\":[7]},"
"   \"z\":{\"direction\":\"output\",\"bits\":[8]}},"
"  \"cells\":{"
"   \"r1\":{\"type\":\"$_DFF_P_\",\"port_directions\":{\"C\":\"input\",\"D\":\"input\",\"Q\":\"output\"},"
"          \"connections\":{\"C\":[2],\"D\":[3],\"Q\":[4]}},"
"   \"u0\":{\"type\":\"chain2\",\"port_directions\":{\"a\":\"input\",\"y\":\"output\"},"
"          \"connections\":{\"a\":[4],\"y\":[5]}},"
"   \"u1\":{\"type\":\"chain2\",\"port_directions\":{\"a\":\"input\",\"y\":\"output\"},"
"          \"connections\":{\"a\":[5],\"y\":[6]}},"
"   \"r2\":{\"type\":\"$_DFF_P_\",\"port_directions\":{\"C\":\"input\",\"D\":\"input\",\"Q\":\"output\"},"
"          \"connections\":{\"C\":[2],\"D\":[6],\"Q\":[7]}},"
"   \"g\":{\"type\":\"$_NAND_\",\"port_directions\":{\"A\":\"input\",\"B\":\"input\",\"Y\":\"output\"},"
"          \"connections\":{\"A\":[3],\"B\":[7],\"Y\":[8]}}}}"
"}}";

START_TEST(netlist_hierarchy)
{
    syn_netlist nl;
    rad_err err = { 0 };
    const char *p = ck_tmp_write("n.json", NETLIST);
    ck_assert_msg(syn_netlist_load(p, NULL, &nl, &err) == RAD_OK, "%s", err.msg);
    ck_assert_str_eq(nl.top, "top");
    ck_assert_int_eq(nl.n_mod, 2);
    const syn_module *c = syn_netlist_find(&nl, "chain2");
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->instances, 2);
    ck_assert_int_eq(c->d_io, 2);
    ck_assert_int_eq(c->d_ff, -1);
    /* 4 NOT (2 T) + 2 DFF (24 T) + 1 NAND (4 T) */
    ck_assert_int_eq(nl.cells, 7);
    ck_assert_int_eq(nl.ff, 2);
    ck_assert_int_eq(nl.transistors, 4 * 2 + 2 * 24 + 4);
    ck_assert(fabs(nl.nand2 - 15.0) < 1e-9);
    ck_assert_int_eq(nl.levels_reg2reg, 4);
    ck_assert_int_eq(nl.levels_in2reg, 0);
    ck_assert_int_eq(nl.levels_reg2out, 1);
    ck_assert_int_eq(nl.levels_in2out, 1);
    ck_assert_int_eq(nl.levels, 4);
    long not_count = 0;
    for (int i = 0; i < nl.n_type; i++)
        if (!strcmp(nl.type[i].type, "$_NOT_"))
            not_count = nl.type[i].count;
    ck_assert_int_eq(not_count, 4);
    syn_netlist_free(&nl);
    /* Choosing the submodule as the top. */
    ck_assert(syn_netlist_load(p, "chain2", &nl, &err) == RAD_OK);
    ck_assert_int_eq(nl.cells, 2);
    ck_assert_int_eq(nl.levels_in2out, 2);
    syn_netlist_free(&nl);
    ck_assert(syn_netlist_load(p, "nosuch", &nl, &err) != RAD_OK);
    ck_assert_ptr_nonnull(strstr(err.msg, "nosuch"));
}
END_TEST

START_TEST(netlist_errors)
{
    syn_netlist nl;
    rad_err err = { 0 };
    /* An unmapped coarse cell is an error naming it. */
    char *bad = strdup(NETLIST);
    char *at = strstr(bad, "$_NAND_");
    memcpy(at, "$and   ", 7);
    const char *p = ck_tmp_write("bad.json", bad);
    ck_assert(syn_netlist_load(p, NULL, &nl, &err) == RAD_ETOOL);
    ck_assert_ptr_nonnull(strstr(err.msg, "$and"));
    free(bad);
    /* A combinational loop: n1 feeds n2 feeds n1. */
    const char *loop =
        "{\"modules\":{\"m\":{\"attributes\":{\"top\":1},\"ports\":{"
        "\"y\":{\"direction\":\"output\",\"bits\":[3]}},\"cells\":{"
        "\"n1\":{\"type\":\"$_NOT_\",\"connections\":{\"A\":[3],\"Y\":[2]}},"
        "\"n2\":{\"type\":\"$_NOT_\",\"connections\":{\"A\":[2],\"Y\":[3]}}}}}}";
    p = ck_tmp_write("loop.json", loop);
    ck_assert(syn_netlist_load(p, NULL, &nl, &err) == RAD_ETOOL);
    ck_assert_ptr_nonnull(strstr(err.msg, "loop"));
    /* Malformed JSON names the file and line. */
    p = ck_tmp_write("trunc.json", "{\"modules\":{\n\"m\":");
    ck_assert(syn_netlist_load(p, NULL, &nl, &err) == RAD_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.msg, "trunc.json:"));
    ck_assert(syn_netlist_load("/nonexistent/x.json", NULL, &nl, &err) != RAD_OK);
}
END_TEST

/* Full-TMR shape: cfgm's w is combinational from x (and, by the per-module
** bound, from t); neur's err is a flop output (a TMR disagreement flag) fed
** back into cfgm's t while cfgm's w feeds neur.  Through instances that is
** feedback over flops, not a combinational loop.  {ERR} is err's driver:
** bit 5 (the flop) or, for the negative control, bit 2 (the input w: a
** real loop w -> err -> t -> w under the per-module bound). */
static const char FEEDBACK[] =
"{\"modules\":{"
" \"cfgm\":{\"attributes\":{},\"ports\":{"
"   \"t\":{\"direction\":\"input\",\"bits\":[2]},"
"   \"x\":{\"direction\":\"input\",\"bits\":[3]},"
"   \"clk\":{\"direction\":\"input\",\"bits\":[4]},"
"   \"w\":{\"direction\":\"output\",\"bits\":[5]},"
"   \"q\":{\"direction\":\"output\",\"bits\":[7]}},"
"  \"cells\":{"
"   \"na\":{\"type\":\"$_NOT_\",\"connections\":{\"A\":[3],\"Y\":[5]}},"
"   \"r\":{\"type\":\"$_DFF_P_\",\"connections\":{\"C\":[4],\"D\":[2],\"Q\":[6]}},"
"   \"nq\":{\"type\":\"$_NOT_\",\"connections\":{\"A\":[6],\"Y\":[7]}}}},"
" \"neur\":{\"attributes\":{},\"ports\":{"
"   \"w\":{\"direction\":\"input\",\"bits\":[2]},"
"   \"clk\":{\"direction\":\"input\",\"bits\":[3]},"
"   \"y\":{\"direction\":\"output\",\"bits\":[4]},"
"   \"err\":{\"direction\":\"output\",\"bits\":[6]}},"
"  \"cells\":{"
"   \"nb\":{\"type\":\"$_NOT_\",\"connections\":{\"A\":[2],\"Y\":[4]}},"
"   \"r\":{\"type\":\"$_DFF_P_\",\"connections\":{\"C\":[3],\"D\":[2],\"Q\":[5]}},"
"   \"ne\":{\"type\":\"$_NOT_\",\"connections\":{\"A\":[{ERR}],\"Y\":[6]}}}},"
" \"top\":{\"attributes\":{\"top\":\"1\"},\"ports\":{"
"   \"clk\":{\"direction\":\"input\",\"bits\":[2]},"
"   \"x\":{\"direction\":\"input\",\"bits\":[3]},"
"   \"y\":{\"direction\":\"output\",\"bits\":[4]}},"
"  \"cells\":{"
"   \"a\":{\"type\":\"cfgm\",\"port_directions\":{\"t\":\"input\",\"x\":\"input\","
"          \"clk\":\"input\",\"w\":\"output\",\"q\":\"output\"},"
"          \"connections\":{\"t\":[6],\"x\":[3],\"clk\":[2],\"w\":[5],\"q\":[7]}},"
"   \"b\":{\"type\":\"neur\",\"port_directions\":{\"w\":\"input\",\"clk\":\"input\","
"          \"y\":\"output\",\"err\":\"output\"},"
"          \"connections\":{\"w\":[5],\"clk\":[2],\"y\":[4],\"err\":[6]}}}}"
"}}";

static const char *feedback_netlist(const char *name, char err_bit)
{
    char *t = strdup(FEEDBACK);
    char *at = strstr(t, "{ERR}");
    ck_assert_ptr_nonnull(at);
    *at = err_bit;
    memmove(at + 1, at + 5, strlen(at + 5) + 1);
    const char *p = ck_tmp_write(name, t);
    free(t);
    return p;
}

START_TEST(netlist_flop_feedback)
{
    syn_netlist nl;
    rad_err err = { 0 };
    const char *p = feedback_netlist("fb.json", '5');
    ck_assert_msg(syn_netlist_load(p, NULL, &nl, &err) == RAD_OK, "%s", err.msg);
    const syn_module *b = syn_netlist_find(&nl, "neur");
    ck_assert_int_eq(b->n_oport, 2);
    for (int i = 0; i < b->n_oport; i++) {
        int is_err = !strcmp(b->oport[i].name, "err");
        ck_assert_int_eq(b->oport[i].d_io, is_err ? -1 : 1);
        ck_assert_int_eq(b->oport[i].d_fo, is_err ? 1 : -1);
    }
    /* x -> a.w (1) -> b.y (1); b's flop -> err (1) -> a (1, module-wide
    ** bound for t -> w) -> b (1) -> y; into b's flop one level less. */
    ck_assert_int_eq(nl.levels_in2out, 2);
    ck_assert_int_eq(nl.levels_reg2out, 3);
    ck_assert_int_eq(nl.levels_in2reg, 1);
    ck_assert_int_eq(nl.levels_reg2reg, 2);
    ck_assert_int_eq(nl.ff, 2);
    syn_netlist_free(&nl);
    /* Negative control: err combinational from w is a real loop. */
    p = feedback_netlist("fbloop.json", '2');
    ck_assert(syn_netlist_load(p, NULL, &nl, &err) == RAD_ETOOL);
    ck_assert_ptr_nonnull(strstr(err.msg, "combinational loop"));
}
END_TEST

/* clk period 10; tb.dut.v (4 bits) and tb.dut.u.w (1 bit), tb.dut.v2 an
** alias of v (same id) that must not count twice. */
static const char VCD[] =
"$timescale 1ns $end\n"
"$scope module tb $end\n"
"$scope module dut $end\n"
"$var wire 1 ! clk $end\n"
"$var wire 4 \" v [3:0] $end\n"
"$var wire 4 \" v2 [3:0] $end\n"
"$scope module u $end\n"
"$var reg 1 # w $end\n"
"$upscope $end\n"
"$upscope $end\n"
"$upscope $end\n"
"$enddefinitions $end\n"
"#0\n$dumpvars\n0!\nb0000 \"\nx#\n$end\n"
"#5\n1!\nb1111 \"\n0#\n"       /* cycle 1: v 4 toggles; w x->0 none */
"#10\n0!\n"
"#15\n1!\nb101 \"\n1#\n"        /* cycle 2: 1111 -> 0101: 2 toggles; w 1 */
"#20\n0!\n"
"#25\n1!\nb0 \"\n0#\n"          /* cycle 3: 0101 -> 0000: 2; w 1 */
"#30\n0!\n";

START_TEST(vcd_toggles)
{
    syn_activity a;
    rad_err err = { 0 };
    const char *p = ck_tmp_write("t.vcd", VCD);
    ck_assert_msg(syn_vcd_activity(p, "clk", 0, &a, &err) == RAD_OK, "%s", err.msg);
    ck_assert_int_eq(a.cycles, 3);
    ck_assert_int_eq(a.bits, 5);
    ck_assert_int_eq(a.toggles, 4 + 2 + 1 + 2 + 1);
    long vdut = -1, vu = -1, bdut = -1;
    for (int i = 0; i < a.n_scope; i++) {
        if (!strcmp(a.scope[i].scope, "tb.dut")) { vdut = a.scope[i].toggles; bdut = a.scope[i].bits; }
        if (!strcmp(a.scope[i].scope, "tb.dut.u")) vu = a.scope[i].toggles;
    }
    ck_assert_int_eq(vdut, 8);
    ck_assert_int_eq(bdut, 4);
    ck_assert_int_eq(vu, 2);
    syn_activity_free(&a);
    /* Skipping the first cycle drops its 4 toggles and the cycle itself. */
    ck_assert(syn_vcd_activity(p, "clk", 1, &a, &err) == RAD_OK);
    ck_assert_int_eq(a.cycles, 2);
    ck_assert_int_eq(a.toggles, 6);
    syn_activity_free(&a);
    ck_assert(syn_vcd_activity(p, "nosuchclk", 0, &a, &err) == RAD_ESCHEMA);
    ck_assert_ptr_nonnull(strstr(err.msg, "nosuchclk"));
    p = ck_tmp_write("bad.vcd", "$scope module tb $end\n$var wire 1 ! clk $end\n");
    ck_assert(syn_vcd_activity(p, "clk", 0, &a, &err) == RAD_EPARSE);
}
END_TEST

/* Many variables declared after the clock: the id table grows (rehash)
** while the clock is already known. */
START_TEST(vcd_many_vars)
{
    char *text = malloc(200000), *p = text;
    p += sprintf(p, "$scope module tb $end\n$var wire 1 ! clk $end\n");
    for (int i = 0; i < 3000; i++)
        p += sprintf(p, "$var wire 1 v%d s%d $end\n", i, i);
    p += sprintf(p, "$upscope $end\n$enddefinitions $end\n#0\n0!\n");
    for (int i = 0; i < 3000; i++)
        p += sprintf(p, "0v%d\n", i);
    p += sprintf(p, "#1\n1!\n");
    for (int i = 0; i < 3000; i += 2)
        p += sprintf(p, "1v%d\n", i);
    p += sprintf(p, "#2\n0!\n");
    const char *path = ck_tmp_write("many.vcd", text);
    free(text);
    syn_activity a;
    rad_err err = { 0 };
    ck_assert_msg(syn_vcd_activity(path, "clk", 0, &a, &err) == RAD_OK, "%s", err.msg);
    ck_assert_int_eq(a.cycles, 1);
    ck_assert_int_eq(a.bits, 3000);
    ck_assert_int_eq(a.toggles, 1500);
    syn_activity_free(&a);
}
END_TEST

START_TEST(power_formula)
{
    syn_netlist nl;
    syn_activity a;
    rad_err err = { 0 };
    const char *np = ck_tmp_write("n2.json", NETLIST);
    ck_assert(syn_netlist_load(np, NULL, &nl, &err) == RAD_OK);
    /* Activity: 1 toggle/bit/cycle in the top, 0.5 in u0, none in u1. */
    syn_scope_act sc[3] = { { "tb.dut", 10, 40 }, { "tb.dut.u0", 2, 4 },
                            { "tb.dut.u1", 2, 0 } };
    a.cycles = 4;
    a.bits = 14;
    a.toggles = 44;
    a.n_scope = 3;
    a.scope = sc;
    syn_tech t;
    syn_tech_65nm(&t);
    syn_power p;
    ck_assert_msg(syn_power_estimate(&nl, &a, "tb.dut", &t, &p, &err) == RAD_OK, "%s", err.msg);
    /* top own: 2 DFF + NAND = 52 T = 13 eq at 1.0; u0: 1 eq at 0.5; u1 0 */
    double sw = 13 * 1.0 + 1 * 0.5;
    double v2f = 1.2 * 1.2 * 40e6;
    ck_assert(fabs(p.p_dyn_w - 0.5 * sw * v2f * 1.5e-15) < 1e-18);
    ck_assert(fabs(p.p_clk_w - 2 * 2e-15 * v2f) < 1e-18);
    ck_assert(fabs(p.alpha - sw / 15.0) < 1e-12);
    ck_assert(p.p_lo_w < p.p_w && p.p_w < p.p_hi_w);
    ck_assert(fabs(p.e_j - p.p_w / 40e6) < 1e-24);
    ck_assert(fabs(p.nand2_matched - 15.0) < 1e-9);
    ck_assert(syn_power_estimate(&nl, &a, "other.root", &t, &p, &err) == RAD_ESCHEMA);
    syn_netlist_free(&nl);
}
END_TEST

START_TEST(area_and_hash)
{
    ck_assert(fabs(syn_area_mm2(1e6, 1.44, 0.72) - 2.0) < 1e-12);
    unsigned long long a = rad_fnv1a(RAD_FNV1A_INIT, "abc", 3);
    ck_assert(a == rad_fnv1a(RAD_FNV1A_INIT, "abc", 3));
    ck_assert(a != rad_fnv1a(RAD_FNV1A_INIT, "abd", 3));
    ck_assert(rad_fnv1a(RAD_FNV1A_INIT, "", 0) == RAD_FNV1A_INIT);
}
END_TEST

/* ---- liberty, Yosys stat reports, OpenSTA reports ----------------------- */

static const char *LIB_TEXT =
    "/* a comment with cell (FAKE) { area : 99; } inside */\n"
    "library (toy_cells) {\n"
    "  time_unit : \"1ns\";\n"
    "  cell (INVX1) { area : 2; pin (A) { direction : input; } }\n"
    "  cell (\"NAND2X2\") {\n"
    "    area : 6;\n"
    "  }\n"
    "  cell (NAND2X1) { area : 4; // the unit\n"
    "    pin (Y) { function : \"(!(A B))\"; }\n"
    "  }\n"
    "  cell (DFFX1) { area : 20; ff (IQ, IQN) { next_state : \"D\"; clocked_on : \"CLK\"; } }\n"
    "}\n";

START_TEST(liberty_parse)
{
    const char *path = ck_tmp_write("toy.lib", LIB_TEXT);
    syn_lib lib;
    rad_err err;
    ck_assert_int_eq(syn_lib_load(path, &lib, &err), RAD_OK);
    ck_assert_str_eq(lib.name, "toy_cells");
    ck_assert_int_eq(lib.n_cell, 4);
    ck_assert_str_eq(lib.nand2, "NAND2X1");         /* the smaller NAND2 */
    ck_assert(lib.nand2_area == 4);
    ck_assert_str_eq(lib.cell[1].name, "NAND2X2");  /* quoted name */
    ck_assert(lib.cell[3].seq && !lib.cell[0].seq && lib.cell[3].area == 20);
    syn_lib_free(&lib);
    /* errors name the file and the line */
    const char *bad = ck_tmp_write("bad.lib", "library (x) {\n cell (NAND2X1) {\n area : -3;\n }\n}\n");
    ck_assert_int_ne(syn_lib_load(bad, &lib, &err), RAD_OK);
    ck_assert_msg(strstr(err.msg, "bad.lib:3: area"), "%s", err.msg);
    bad = ck_tmp_write("brace.lib", "library (x) {\n}\n}\n");
    ck_assert_int_ne(syn_lib_load(bad, &lib, &err), RAD_OK);
    ck_assert_msg(strstr(err.msg, "brace.lib:3: '}' without a group"), "%s", err.msg);
}
END_TEST

/* A two-module netlist by hand: top (1 instance) holding 3 leaves. */
static void toy_netlist(syn_netlist *nl, syn_module mod[2])
{
    memset(nl, 0, sizeof *nl);
    memset(mod, 0, 2 * sizeof mod[0]);
    snprintf(mod[0].name, sizeof mod[0].name, "leaf");
    mod[0].instances = 3;
    snprintf(mod[1].name, sizeof mod[1].name, "top");
    mod[1].instances = 1;
    snprintf(nl->top, sizeof nl->top, "top");
    nl->mod = mod;
    nl->n_mod = 2;
}

START_TEST(liberty_report)
{
    syn_lib lib;
    rad_err err;
    ck_assert_int_eq(syn_lib_load(ck_tmp_write("toy.lib", LIB_TEXT), &lib, &err), RAD_OK);
    syn_netlist nl;
    syn_module mod[2];
    toy_netlist(&nl, mod);
    const char *rep =
        "=== leaf ===\n   Number of cells:   5\n     NAND2X1   3\n     DFFX1   2\n"
        "   Chip area for module '\\leaf': 52.000000\n\n"
        "=== top ===\n   Number of cells:   4\n     INVX1   1\n     leaf   3\n"
        "   Area for cell type \\leaf is unknown!\n"
        "   Chip area for module '\\top': 2.000000\n\n"
        "=== design hierarchy ===\n   Number of cells:  16\n     NAND2X1   9\n";
    syn_libarea a = { 0 };
    ck_assert_int_eq(syn_lib_add_report("r.txt", rep, &lib, &nl, &a, &err), RAD_OK);
    ck_assert(a.area == 3 * 52.0 + 2.0);            /* own area x instances   */
    ck_assert_int_eq(a.cells, 3 * 5 + 1);           /* library cells only     */
    ck_assert_int_eq(a.ff, 3 * 2);
    ck_assert(a.nand2_eq == a.area / 4);
    /* a module the netlist lacks; library cells without an area line */
    syn_libarea b = { 0 };
    ck_assert_int_ne(syn_lib_add_report("r.txt", "=== other ===\n     INVX1 1\n"
                     "   Chip area for module '\\other': 2.0\n", &lib, &nl, &b, &err), RAD_OK);
    ck_assert_msg(strstr(err.msg, "other is not in the netlist"), "%s", err.msg);
    ck_assert_int_ne(syn_lib_add_report("r.txt", "=== leaf ===\n     INVX1 1\n", &lib, &nl, &b,
                                        &err), RAD_OK);
    ck_assert_msg(strstr(err.msg, "no chip area"), "%s", err.msg);
    /* a module without library cells has no area line, and that is fine */
    syn_libarea c = { 0 };
    ck_assert_int_eq(syn_lib_add_report("r.txt", "=== top ===\n     leaf 3\n", &lib, &nl, &c,
                                        &err), RAD_OK);
    ck_assert(c.area == 0 && c.cells == 0);
    ck_assert_int_ne(syn_lib_add_report("r.txt", "nothing here\n", &lib, &nl, &c, &err), RAD_OK);
    syn_lib_free(&lib);
}
END_TEST

START_TEST(sta_report)
{
    const char *rep =
        "Startpoint: _0554_ (rising edge-triggered flip-flop clocked by clk)\n"
        "Endpoint: u_l1/n32/_6470_ (rising edge-triggered flip-flop clocked by clk)\n"
        "   Delay     Time   Description\n"
        "   0.000    0.000   clock clk (rise edge)\n"
        "   0.236    0.236 v _0554_/Q (DFFPOSX1)\n"
        "   0.000    9.812 v u_l1/n32/_6470_/D (DFFPOSX1)\n"
        "            9.812   data arrival time\n"
        "  25.000   25.000   clock clk (rise edge)\n"
        "           24.816   data required time\n"
        "           -9.812   data arrival time\n"
        "           15.004   slack (MET)\n";
    syn_timing t;
    rad_err err;
    ck_assert_int_eq(syn_sta_parse("s.txt", rep, &t, &err), RAD_OK);
    ck_assert(t.arrival_ns == 9.812 && t.slack_ns == 15.004);
    ck_assert_str_eq(t.start, "_0554_");
    ck_assert_str_eq(t.end, "u_l1/n32/_6470_");
    ck_assert_int_ne(syn_sta_parse("s.txt", "Error: no design\n", &t, &err), RAD_OK);
    ck_assert_msg(strstr(err.msg, "s.txt: no timing path"), "%s", err.msg);
}
END_TEST

int main(void)
{
    if (ck_tmp_init("check_synth"))
        return EXIT_FAILURE;
    Suite *s = suite_create("synth");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, cell_costs);
    tcase_add_test(tc, netlist_hierarchy);
    tcase_add_test(tc, netlist_errors);
    tcase_add_test(tc, netlist_flop_feedback);
    tcase_add_test(tc, vcd_toggles);
    tcase_add_test(tc, vcd_many_vars);
    tcase_add_test(tc, power_formula);
    tcase_add_test(tc, area_and_hash);
    tcase_add_test(tc, liberty_parse);
    tcase_add_test(tc, liberty_report);
    tcase_add_test(tc, sta_report);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ck_tmp_cleanup();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
