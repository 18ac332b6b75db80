#!/bin/sh
# vfiogen: creates VM 150 (win10-gvtg) from libvirt-intel-gvtg.yaml on a Proxmox VE node (as root, for args).
# PVE allocates each disk, efidisk0 and tpmstate0 given as STORAGE:SIZE_GIB; qm create refuses a VMID in use.
set -e
qm create 150 \
  --bios 'ovmf' \
  --boot 'order=sata0;net0' \
  --cores '4' \
  --cpu 'host' \
  --efidisk0 'local-lvm:1,efitype=4m,pre-enrolled-keys=0' \
  --hostpci0 '0000:00:02.0,mdev=i915-GVTg_V5_4,pcie=1' \
  --machine 'q35' \
  --memory '8192' \
  --name 'win10-gvtg' \
  --net0 'e1000=52:54:00:EA:0F:F8,bridge=vmbr0' \
  --ostype 'win10' \
  --sata0 'local-lvm:64' \
  --scsihw 'virtio-scsi-single' \
  --sockets '1' \
  --vga 'std'
