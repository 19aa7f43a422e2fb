# sta_liberty.tcl — rad4ml synth --liberty: static timing of the design
# mapped onto the library's cells (OpenSTA, Debian package opensta).
#
# A template: rad4ml fills in the double-brace placeholders (syn_liberty.c)
# and runs `sta -no_init -no_splash -exit` on it.  One clock on the clock
# port; inputs arrive and outputs are taken at the clock edge, so every
# path (in->reg, reg->reg, reg->out, in->out) is checked against one
# period.  Typical corner of the library, no wire-load model in it: ideal
# wires, pin capacitances only, ideal clock.
read_liberty {{liberty}}
{{#netlist}}
read_verilog {{file}}
{{/netlist}}
link_design {{top}}
create_clock -name clk -period {{period_ns}} [get_ports {{clk}}]
set_input_delay 0 -clock clk [delete_from_list [all_inputs] [get_ports {{clk}}]]
set_output_delay 0 -clock clk [all_outputs]
report_checks -path_delay max -digits 3 > {{report}}
