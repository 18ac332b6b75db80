#!/bin/sh
# vfiogen: creates VM 131 (win10-radeon) from pve-amd-igpu-5700u.yaml on a Proxmox VE node (as root, for args).
# PVE allocates each disk, efidisk0 and tpmstate0 given as STORAGE:SIZE_GIB; qm create refuses a VMID in use.
set -e
qm create 131 \
  --bios 'ovmf' \
  --boot 'order=scsi0;net0' \
  --cores '4' \
  --cpu 'host' \
  --efidisk0 'local-lvm:1,efitype=4m,pre-enrolled-keys=0' \
  --hostpci0 '0000:05:00.0,pcie=1,romfile=vbios_1638.dat,x-vga=1' \
  --hostpci1 '0000:05:00.1,pcie=1,romfile=AMDGopDriver.rom' \
  --machine 'q35' \
  --memory '8192' \
  --name 'win10-radeon' \
  --net0 'virtio=52:54:00:87:19:27,bridge=vmbr0' \
  --ostype 'win10' \
  --scsi0 'local-lvm:64' \
  --scsihw 'virtio-scsi-single' \
  --sockets '1' \
  --vga 'none'
