#!/bin/sh
# vfiogen: creates VM 130 (windows) from pve-intel-igd-gen12.yaml on a Proxmox VE node (as root, for args).
# PVE allocates each disk, efidisk0 and tpmstate0 given as STORAGE:SIZE_GIB; qm create refuses a VMID in use.
set -e
qm create 130 \
  --args '-set device.hostpci0.x-igd-gms=0x2 -set device.hostpci0.x-igd-opregion=on' \
  --bios 'ovmf' \
  --boot 'order=sata0;net0' \
  --cores '4' \
  --cpu 'host' \
  --efidisk0 'local-lvm:1,efitype=4m,pre-enrolled-keys=0' \
  --hostpci0 '0000:00:02.0,legacy-igd=1,romfile=gen12_igd.rom' \
  --hostpci1 '0000:00:1f.3,romfile=gen12_gop.rom' \
  --machine 'pc-i440fx-8.0' \
  --memory '16384' \
  --name 'windows' \
  --net0 'e1000=C2:F1:38:63:EC:5E,bridge=vmbr0,firewall=1' \
  --ostype 'win10' \
  --sata0 'local-lvm:100' \
  --scsihw 'virtio-scsi-single' \
  --sockets '1' \
  --vga 'none'
