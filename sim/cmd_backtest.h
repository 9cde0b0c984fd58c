/*
** cmd_backtest.h: the `liqsim backtest` subcommand (sim/cmd_backtest.c).
*/
#ifndef LIQ_CMD_BACKTEST_H
#define LIQ_CMD_BACKTEST_H

/* Run `liqsim backtest` on the arguments after the command name; returns
** the exit code (0 ok, 1 runtime failure, 2 bad usage or bad input). */
int liq_cli_backtest(int argc, char **argv);

#endif /* LIQ_CMD_BACKTEST_H */
