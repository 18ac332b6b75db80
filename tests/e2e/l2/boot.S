/* Multiboot (version 1) entry of the L2 probe: QEMU's -kernel loader (multiboot option ROM)
 * finds the header in the first 8 KiB, loads the ELF at its physical addresses and jumps to
 * _start in 32-bit protected mode with flat segments and paging off. */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000000

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .text
    .globl _start
_start:
    cli
    mov $stack_top, %esp
    call probe_main
1:  hlt
    jmp 1b

    .section .bss
    .align 16
    .space 16384
stack_top:

    .section .note.GNU-stack, "", @progbits
