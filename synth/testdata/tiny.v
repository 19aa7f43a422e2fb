// tiny.v -- hand-written test fixture for rad4ml synth (NOT generated).
// A 2-layer toy network with the structure rad4ml gen emits: a config
// register file, one neuron module per layer kind instantiated per output,
// weights as ports.  Layer 1: 4 inputs x 3 outputs, layer 2: 3 x 2.
module tiny_neuron4 (
    input  wire [31:0] x,      // 4 x 8-bit unsigned
    input  wire [23:0] w,      // 4 x 6-bit signed
    input  wire [5:0]  b,
    output wire [7:0]  y
);
    wire signed [15:0] p0 = $signed({1'b0, x[7:0]})   * $signed(w[5:0]);
    wire signed [15:0] p1 = $signed({1'b0, x[15:8]})  * $signed(w[11:6]);
    wire signed [15:0] p2 = $signed({1'b0, x[23:16]}) * $signed(w[17:12]);
    wire signed [15:0] p3 = $signed({1'b0, x[31:24]}) * $signed(w[23:18]);
    wire signed [17:0] acc = p0 + p1 + p2 + p3 + ($signed(b) <<< 7);
    assign y = acc[17] ? 8'd0 : (|acc[16:15] ? 8'hff : acc[14:7]);
endmodule

module tiny_neuron3 (
    input  wire [23:0] x,
    input  wire [17:0] w,
    input  wire [5:0]  b,
    output wire [7:0]  y
);
    wire signed [15:0] p0 = $signed({1'b0, x[7:0]})   * $signed(w[5:0]);
    wire signed [15:0] p1 = $signed({1'b0, x[15:8]})  * $signed(w[11:6]);
    wire signed [15:0] p2 = $signed({1'b0, x[23:16]}) * $signed(w[17:12]);
    wire signed [17:0] acc = p0 + p1 + p2 + ($signed(b) <<< 7);
    assign y = acc[17] ? 8'd0 : (|acc[16:15] ? 8'hff : acc[14:7]);
endmodule

module tiny_cfg (
    input  wire        clk,
    input  wire        we,
    input  wire [3:0]  addr,
    input  wire [17:0] wdata,
    output wire [161:0] cfg     // 9 words x 18 bits
);
    reg [17:0] r [0:8];
    integer i;
    always @(posedge clk) if (we && addr < 9) r[addr] <= wdata;
    genvar g;
    generate for (g = 0; g < 9; g = g + 1) begin : o
        assign cfg[g*18 +: 18] = r[g];
    end endgenerate
endmodule

module tiny_top (
    input  wire        clk,
    input  wire        cfg_we,
    input  wire [3:0]  cfg_addr,
    input  wire [17:0] cfg_wdata,
    input  wire [31:0] x,
    output reg  [15:0] y
);
    wire [161:0] cfg;
    tiny_cfg u_cfg (.clk(clk), .we(cfg_we), .addr(cfg_addr), .wdata(cfg_wdata), .cfg(cfg));
    reg  [31:0] xr;
    always @(posedge clk) xr <= x;
    wire [23:0] h;
    genvar n;
    generate for (n = 0; n < 3; n = n + 1) begin : l1
        tiny_neuron4 u (.x(xr), .w(cfg[n*30 +: 24]), .b(cfg[n*30+24 +: 6]), .y(h[n*8 +: 8]));
    end endgenerate
    wire [15:0] o;
    generate for (n = 0; n < 2; n = n + 1) begin : l2
        tiny_neuron3 u (.x(h), .w(cfg[90+n*24 +: 18]), .b(cfg[90+n*24+18 +: 6]), .y(o[n*8 +: 8]));
    end endgenerate
    always @(posedge clk) y <= o;
endmodule
