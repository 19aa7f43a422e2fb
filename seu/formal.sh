#!/usr/bin/env bash
# seu/formal.sh — formal proof (yosys-smtbmc + z3) that the configuration
# register files rad4ml generates correct upsets.
#
# usage: seu/formal.sh [--random-model S | --econt] [--depth N] [--work DIR]
#                      [--no-induction] [--checks LIST] [--secded-data N]
#   --checks: any of tmr,secded,controls (default all three)
#   --secded-data: data bits per SECDED word of the proved module (default
#     8: z3 does not finish the 64-bit word's XOR trees in minutes; the
#     generator is the same code for every width 8..256)
#
# What is proved, on the modules `rad4ml seu --gen-cfg` writes on the fly
# (the same text `rad4ml gen --protect tmr|secded` appends, here with the
# test-only SEU port: seu_inject_en/copy/addr), harnessed through their
# ports only (clk, rst_cfg, cfg_we, cfg_addr, cfg_wdata, cfg_rdata, wimg,
# n_links, seu_derr, seu_inject_*):
#   the protected module (DUT) and the unprotected one (REF, protection
#   none, no upsets) share clock, reset at the first cycle and every cfg-bus
#   input, all FREE at every cycle (any write sequence); the upset port of the
#   DUT is free at every cycle too: at any clock edge an upset may flip any
#   stored bit (image + check/parity bits) of any copy — one per edge, i.e.
#   one per scrub interval, since every variant scrubs every clock.
#   single (tmr, secded): every cycle after reset wimg, n_links and the
#     image-word readback (cfg_addr >= 16) equal REF's, seu_derr stays 0.
#     Bounded model check to --depth, then k-induction (unbounded) with the
#     same properties unless --no-induction.
#   flag (secded): with RAD4ML_SEU_INJECT2 a second upset at the same edge
#     (any position, same copy; formal-only free value in the generator):
#     whenever wimg differs from REF, seu_derr is set by the next clock (no
#     silent corruption). Bounded model check to --depth.
# Controls that MUST fail (the proof can fail): protection none under
# single upsets; TMR with the voted feedback removed (each copy keeps its
# own value: a mutant of the generated text); SECDED under double upsets
# claimed corrected (the single property with RAD4ML_SEU_INJECT2).
# Prints one line per check: "formal <check>: PASS|FAIL ... (depth, s)".
# Exit 0 only when every proof passes and every control fails.
set -u
R=${RAD4ML:-build/bin/rad4ml}
MODEL=(--random-model 1) DEPTH=12 W=${RAD4ML_BUILD:-build}/formal INDUCT=1
CHECKS=tmr,secded,controls SDATA=8
while [ $# -gt 0 ]; do
    case $1 in
    --random-model) MODEL=(--random-model "$2"); shift 2 ;;
    --econt) MODEL=(); shift ;;
    --depth) DEPTH=$2; shift 2 ;;
    --work) W=$2; shift 2 ;;
    --no-induction) INDUCT=0; shift ;;
    --checks) CHECKS=$2; shift 2 ;;
    --secded-data) SDATA=$2; shift 2 ;;
    -h|--help) sed -n '2,37p' "$0"; exit 0 ;;
    *) echo "seu/formal.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
case $DEPTH in ''|*[!0-9]*) echo "seu/formal.sh: --depth must be a number, not '$DEPTH'" >&2; exit 2 ;; esac
[ "$DEPTH" -ge 2 ] || { echo "seu/formal.sh: --depth must be >= 2" >&2; exit 2; }
for t in yosys yosys-smtbmc z3; do
    command -v $t >/dev/null || { echo "seu/formal.sh: $t not found (tools/install-deps.sh)" >&2; exit 2; }
done
mkdir -p "$W"
status=0

gen() {   # gen PROT NAME -> $W/NAME_cfg.v
    "$R" seu "${MODEL[@]}" --gen-cfg "$W/$2_cfg.v" --protect "$1" --name "$2" \
        --secded-data "$SDATA" >/dev/null \
        || { echo "seu/formal.sh: rad4ml seu --gen-cfg --protect $1 failed" >&2; exit 1; }
}
width() {  # width FILE PORT -> N for "[N-1:0] PORT"
    local hi
    hi=$(sed -n "s/.*put *wire *\[\([0-9]*\):0\] $2\b.*/\1/p" "$1" | head -1)
    [ -n "$hi" ] || { echo "seu/formal.sh: port $2 not found in $1" >&2; exit 1; }
    echo $((hi + 1))
}

# The harness: DUT and REF side by side, everything free but the reset.
harness() {  # harness DUT REF -> $W/top_DUT.v
    local f=$W/$1_cfg.v aw iw ww rst
    aw=$(width "$f" cfg_addr); iw=$(width "$f" seu_inject_addr); ww=$(width "$f" wimg)
    # the configuration reset: rst_cfg (rst in older generators)
    rst=$(sed -n 's/^ *input *wire *\(rst_cfg\|rst\),.*/\1/p' "$f" | head -1)
    [ -n "$rst" ] || { echo "seu/formal.sh: no reset port in $f" >&2; exit 1; }
    cat > "$W/top_$1.v" <<EOF
module formal_top (
    input wire clk, input wire cfg_we, input wire [$((aw-1)):0] cfg_addr,
    input wire [31:0] cfg_wdata, input wire inj_en, input wire [1:0] inj_copy,
    input wire [$((iw-1)):0] inj_addr);
    reg init = 1'b1;
    always @(posedge clk) init <= 1'b0;
    wire [31:0] rd_p, rd_r;
    wire [$((ww-1)):0] img_p, img_r;
    wire [3:0] nl_p, nl_r;
    wire [15:0] cnt_p, cnt_r;
    wire wr_p, wr_r, derr_p, derr_r;
    $1_cfg dut (.clk(clk), .$rst(init), .cfg_we(cfg_we), .cfg_addr(cfg_addr),
        .cfg_wdata(cfg_wdata), .cfg_rdata(rd_p), .wimg(img_p), .n_links(nl_p),
        .cfg_wr(wr_p), .seu_count(cnt_p), .seu_derr(derr_p), .seu_inject_en(inj_en),
        .seu_inject_copy(inj_copy), .seu_inject_addr(inj_addr));
    $2_cfg ref (.clk(clk), .$rst(init), .cfg_we(cfg_we), .cfg_addr(cfg_addr),
        .cfg_wdata(cfg_wdata), .cfg_rdata(rd_r), .wimg(img_r), .n_links(nl_r),
        .cfg_wr(wr_r), .seu_count(cnt_r), .seu_derr(derr_r), .seu_inject_en(1'b0),
        .seu_inject_copy(2'd0), .seu_inject_addr($iw'd0));
    reg bad_q = 1'b0;
    always @(posedge clk) bad_q <= !init && img_p != img_r;
    always @* if (!init) begin
\`ifdef FM_FLAG
        assert (!bad_q || derr_p);
\`else
        assert (img_p == img_r);
        assert (nl_p == nl_r);
        assert (!derr_p);
        if (cfg_addr >= 16) assert (rd_p == rd_r);
\`endif
    end
endmodule
EOF
}

# check NAME DUT DEFINES EXPECT(pass|fail) [induction]
check() {
    local name=$1 dut=$2 defs=$3 expect=$4 ind=${5:-0} smt=$W/$1.smt2 log=$W/$1.log t0 t1 res
    local bits=""    # SECDED: bit-blasted to AND gates first (z3 stalls on the word-level XORs)
    case $dut in fsecded) bits="flatten; opt; techmap; opt -fast; abc -g AND; opt_clean;" ;; esac
    yosys -q -p "read_verilog -formal -DRAD4ML_SEU_INJECT $defs $W/${dut}_cfg.v $W/fref_cfg.v $W/top_${dut}.v;
                 prep -top formal_top; $bits async2sync; dffunmap; write_smt2 -wires $smt" > "$log" 2>&1 \
        || { echo "formal $name: yosys failed (log $log)"; tail -5 "$log"; status=1; return; }
    t0=$(date +%s.%N)
    yosys-smtbmc -s z3 -t "$DEPTH" "$smt" >> "$log" 2>&1; res=$?
    if [ $ind = 1 ] && [ $res = 0 ]; then
        yosys-smtbmc -s z3 -i -t "$DEPTH" "$smt" >> "$log" 2>&1; res=$?
    fi
    t1=$(date +%s.%N)
    local secs what
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
    if [ $res = 0 ]; then
        what="proved: bounded to depth $DEPTH"
        [ $ind = 1 ] && what="$what + k-induction (k=$DEPTH): unbounded"
    else
        what="counterexample: $(grep -m1 -o 'Assert failed in.*' "$log" | sed 's/formal_top\.//' || echo '?'), \
$(grep -o 'Checking assertions in step [0-9]*' "$log" | tail -1 | sed 's/Checking assertions in //')"
    fi
    if { [ $expect = pass ] && [ $res = 0 ]; } || { [ $expect = fail ] && [ $res != 0 ]; }; then
        echo "formal $name: PASS (expected $expect; $what; ${secs} s)"
    else
        echo "formal $name: FAIL (expected $expect; $what; ${secs} s; log $log)"
        status=1
    fi
}

gen none fref
for p in tmr secded none; do gen $p f$p; harness f$p fref; done
# Mutant control: TMR whose copies keep their own value (no voted feedback).
# (every ftmr_cfg name: the module and its voter submodule ftmr_cfg_vote)
sed -e 's/\(c[0-2]\) <= nxt ^/\1 <= (nxt ^ vote ^ \1) ^/' -e 's/ftmr_cfg/fmut_cfg/g' \
    "$W/ftmr_cfg.v" > "$W/fmut_cfg.v"
[ "$(grep -c 'nxt ^ vote ^' "$W/fmut_cfg.v")" = 3 ] \
    || { echo "seu/formal.sh: the TMR write-back changed shape; update the mutant"; exit 1; }
harness fmut fref
has() { case ",$CHECKS," in *",$1,"*) return 0 ;; esac; return 1; }
has tmr && check tmr-single ftmr "" pass $INDUCT
has secded && check secded-single fsecded "" pass $INDUCT
has secded && check secded-double-flagged fsecded "-DRAD4ML_SEU_INJECT2 -DFM_FLAG" pass
has controls && check control-none-single fnone "" fail
has controls && check control-tmr-no-feedback fmut "" fail
has controls && check control-secded-double-corrected fsecded "-DRAD4ML_SEU_INJECT2" fail
exit $status
