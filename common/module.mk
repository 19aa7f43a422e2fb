# common/: error reporting and all-or-nothing file output shared by every module.
# (rad_err.c and rad_file.c are listed in the top Makefile.)
