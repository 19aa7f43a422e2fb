// fa_liberty.v — techmap rule of synth/flow_liberty.ys: the one-bit full
// adders that `extract_fa -fa` found ($fa: X = majority carry, Y = sum)
// onto the full-adder cell of the OSU libraries (FAX1: YC = carry,
// YS = A ^ B ^ C).  Used only when the liberty file has a cell FAX1.
(* techmap_celltype = "$fa" *)
module _rad4ml_fa_to_fax1 (A, B, C, X, Y);
    parameter WIDTH = 1;
    input  [WIDTH-1:0] A, B, C;
    output [WIDTH-1:0] X, Y;
    genvar i;
    generate
        for (i = 0; i < WIDTH; i = i + 1) begin : g
            FAX1 fa (.A(A[i]), .B(B[i]), .C(C[i]), .YC(X[i]), .YS(Y[i]));
        end
    endgenerate
endmodule
