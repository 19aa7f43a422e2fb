// tb_icarus.v -- Icarus Verilog testbench of a rad4ml top.
//
// Reads a vector file written by `rad4ml sim` (VEC_FILE), one clock cycle
// per line, all fields hex:
//   rst in_valid cfg_we cfg_addr cfg_wdata check in_q exp_sum exp_latent
// (rst: bit 0 = datapath reset rst, bit 1 = configuration reset rst_cfg)
// Lines starting with '#' are comments.  Drives the inputs, clocks, and
// checks each output (out_valid) against the oldest crossing in flight:
// a crossing with check = 1 must come out unflagged (out_cfg_chg = 0) and
// equal to the expected module-sum code and latent bus.  Prints one line
//   icarus crossings=.. outputs=.. compared=.. mismatches=.. ...
// Compile-time defines: TOP, NQ (in_q bits), CW (sum bits), NL (latent bus
// bits), AW (cfg_addr bits), LAT (latency), VEC_FILE.
`timescale 1ns/1ps
`default_nettype none
module tb;
    reg clk = 1'b0;
    reg rst, rst_cfg, in_valid, cfg_we;
    reg [`NQ-1:0] in_q;
    reg [`AW-1:0] cfg_addr;
    reg [31:0] cfg_wdata;
    wire out_valid, out_cfg_chg;
    wire [`CW-1:0] out_sum;
    wire [`NL-1:0] out_latent;
    wire [31:0] cfg_rdata;

    `TOP dut (.clk(clk), .rst(rst), .rst_cfg(rst_cfg), .in_valid(in_valid), .in_q(in_q),
              .out_valid(out_valid), .out_cfg_chg(out_cfg_chg), .out_sum(out_sum),
              .out_latent(out_latent), .cfg_we(cfg_we), .cfg_addr(cfg_addr),
              .cfg_wdata(cfg_wdata), .cfg_rdata(cfg_rdata));

    // crossings in flight
    reg [`CW-1:0] f_sum [0:255];
    reg [`NL-1:0] f_lat [0:255];
    reg           f_chk [0:255];
    integer       f_cyc [0:255];
    integer head = 0, tail = 0;

    integer fd, r, cycle = 0, crossings = 0, outputs = 0, compared = 0, mismatches = 0;
    integer flagged = 0, skipped = 0, bad_flags = 0, lat_err = 0, first_bad = -1;
    reg [31:0] v_rst, v_valid, v_we, v_addr, v_chk;
    reg [`CW-1:0] v_sum;
    reg [`NL-1:0] v_lat;
    reg [8*16-1:0] dummy;

    initial begin
        fd = $fopen(`VEC_FILE, "r");
        if (fd == 0) begin
            $display("icarus error: cannot open %s", `VEC_FILE);
            $finish;
        end
        rst = 1'b1; rst_cfg = 1'b1; in_valid = 1'b0; cfg_we = 1'b0; in_q = 0; cfg_addr = 0; cfg_wdata = 0;
        while (!$feof(fd)) begin
            r = $fscanf(fd, "%h %h %h %h %h %h %h %h %h\n", v_rst, v_valid, v_we, v_addr,
                        cfg_wdata, v_chk, in_q, v_sum, v_lat);
            if (r == 9) begin
                rst = v_rst[0]; rst_cfg = v_rst[1]; in_valid = v_valid[0]; cfg_we = v_we[0];
                cfg_addr = v_addr[`AW-1:0];
                if (in_valid) begin
                    f_sum[tail % 256] = v_sum; f_lat[tail % 256] = v_lat;
                    f_chk[tail % 256] = v_chk[0]; f_cyc[tail % 256] = cycle;
                    tail = tail + 1;
                    crossings = crossings + 1;
                end
                #5 clk = 1'b1;
                #1;
                if (out_valid && !rst) begin
                    outputs = outputs + 1;
                    if (out_cfg_chg) flagged = flagged + 1;
                    if (head == tail) mismatches = mismatches + 1;
                    else begin
                        if (cycle - f_cyc[head % 256] != `LAT - 1) lat_err = lat_err + 1;
                        if (!f_chk[head % 256]) skipped = skipped + 1;
                        else begin
                            compared = compared + 1;
                            if (out_cfg_chg) bad_flags = bad_flags + 1;
                            if (out_sum !== f_sum[head % 256] || out_latent !== f_lat[head % 256]) begin
                                mismatches = mismatches + 1;
                                if (first_bad < 0) begin
                                    first_bad = head;
                                    $display("icarus first mismatch: crossing %0d sum %h/%h latent %h/%h",
                                             head, out_sum, f_sum[head % 256], out_latent, f_lat[head % 256]);
                                end
                            end
                        end
                        head = head + 1;
                    end
                end
                #4 clk = 1'b0;
                cycle = cycle + 1;
            end else begin
                r = $fgets(dummy, fd);      // comment line
            end
        end
        $display("icarus crossings=%0d outputs=%0d compared=%0d mismatches=%0d skipped_reconfig=%0d flagged=%0d bad_flags=%0d latency_errors=%0d first_bad=%0d",
                 crossings, outputs, compared, mismatches, skipped, flagged, bad_flags, lat_err, first_bad);
        $fclose(fd);
        $finish;
    end
endmodule
`default_nettype wire
