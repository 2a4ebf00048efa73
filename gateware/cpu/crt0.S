/* crt0.S: start-up of rv32_soc firmware: the stack at the top of RAM, main(), then ECALL (halts the
   core). .bss needs no clearing: the memory image covers the whole RAM and is zero there. */
  .section .text.start, "ax"
  .globl _start
_start:
  la sp, __stack_top
  call main
  ecall
1: j 1b
