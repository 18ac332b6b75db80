#!/bin/sh
# vfiogen: creates VM 120 (win10-gt1030) from pve-nvidia-gt1030.yaml on a Proxmox VE node (as root, for args).
# PVE allocates each disk, efidisk0 and tpmstate0 given as STORAGE:SIZE_GIB; qm create refuses a VMID in use.
set -e
qm create 120 \
  --bios 'ovmf' \
  --boot 'order=scsi0;net0' \
  --cores '4' \
  --cpu 'host,hidden=1,hv-vendor-id=vfiogen' \
  --efidisk0 'local-lvm:1,efitype=4m,pre-enrolled-keys=0' \
  --hostpci0 '0000:01:00,pcie=1' \
  --machine 'q35' \
  --memory '8192' \
  --name 'win10-gt1030' \
  --net0 'virtio=52:54:00:33:62:69,bridge=vmbr0' \
  --ostype 'win10' \
  --scsi0 'local-lvm:80' \
  --scsihw 'virtio-scsi-single' \
  --sockets '1' \
  --vga 'none'
