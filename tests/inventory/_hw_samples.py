"""Real outputs quoted in public places (mailing lists, blog posts), kept verbatim as test inputs.

Sources are named beside each sample. Where a sample was cut (only the records a probe uses),
the comment says so; nothing inside a kept record was edited.
"""

from __future__ import annotations

# `dmidecode` of an ASUS ZenBook UX534FTC (soldered LPDDR3), posted to alsa-devel on 2020-04-29
# ("Issue with Asus UX534FTC / Realtek ALC294"); the author blanked serials and UUID with dashes.
# Cut after the type 19 record; the BIOS characteristics list is kept whole.
DMIDECODE_ZENBOOK = """\
# dmidecode 3.2
Getting SMBIOS data from sysfs.
SMBIOS 3.2.0 present.
Table at 0x99F53000.

Handle 0x0000, DMI type 0, 26 bytes
BIOS Information
\tVendor: American Megatrends Inc.
\tVersion: UX534FTC.304
\tRelease Date: 12/16/2019
\tAddress: 0xF0000
\tRuntime Size: 64 kB
\tROM Size: 16 MB
\tCharacteristics:
\t\tPCI is supported
\t\tBIOS is upgradeable
\t\tBIOS shadowing is allowed
\t\tBoot from CD is supported
\t\tSelectable boot is supported
\t\tBIOS ROM is socketed
\t\tEDD is supported
\t\t5.25"/1.2 MB floppy services are supported (int 13h)
\t\t3.5"/720 kB floppy services are supported (int 13h)
\t\t3.5"/2.88 MB floppy services are supported (int 13h)
\t\tPrint screen service is supported (int 5h)
\t\t8042 keyboard services are supported (int 9h)
\t\tSerial services are supported (int 14h)
\t\tPrinter services are supported (int 17h)
\t\tACPI is supported
\t\tUSB legacy is supported
\t\tSmart battery is supported
\t\tBIOS boot specification is supported
\t\tTargeted content distribution is supported
\t\tUEFI is supported
\tBIOS Revision: 5.15

Handle 0x0001, DMI type 1, 27 bytes
System Information
\tManufacturer: ASUSTeK COMPUTER INC.
\tProduct Name: ZenBook UX534FTC_UX534FT
\tVersion: 1.0
\tSerial Number: ------------------
\tUUID: -------------------
\tWake-up Type: Power Switch
\tSKU Number:
\tFamily: ZenBook

Handle 0x0002, DMI type 2, 15 bytes
Base Board Information
\tManufacturer: ASUSTeK COMPUTER INC.
\tProduct Name: UX534FTC
\tVersion: 1.0
\tSerial Number: ---------------
\tAsset Tag: -------------
\tFeatures:
\t\tBoard is a hosting board
\t\tBoard is replaceable
\tLocation In Chassis: MIDDLE
\tChassis Handle: 0x0003
\tType: Motherboard
\tContained Object Handles: 0

Handle 0x0003, DMI type 3, 22 bytes
Chassis Information
\tManufacturer: ASUSTeK COMPUTER INC.
\tType: Notebook
\tLock: Not Present
\tVersion: 1.0
\tSerial Number: -------------
\tAsset Tag: No Asset Tag
\tBoot-up State: Safe
\tPower Supply State: Safe
\tThermal State: Safe
\tSecurity Status: None
\tOEM Information: 0x00000000
\tHeight: Unspecified
\tNumber Of Power Cords: 1
\tContained Elements: 0
\tSKU Number: NA

Handle 0x0007, DMI type 32, 20 bytes
System Boot Information
\tStatus: No errors detected

Handle 0x0008, DMI type 43, 31 bytes
TPM Device
\tVendor ID: CTNI
\tSpecification Version: 2.0\tFirmware Revision: 500.14
\tDescription: INTEL\tCharacteristics:
\t\tFamily configurable via platform software support
\tOEM-specific Information: 0x00000000

Handle 0x0009, DMI type 16, 23 bytes
Physical Memory Array
\tLocation: System Board Or Motherboard
\tUse: System Memory
\tError Correction Type: None
\tMaximum Capacity: 16 GB
\tError Information Handle: Not Provided
\tNumber Of Devices: 2

Handle 0x000A, DMI type 17, 84 bytes
Memory Device
\tArray Handle: 0x0009
\tError Information Handle: Not Provided
\tTotal Width: 64 bits
\tData Width: 64 bits
\tSize: 8192 MB
\tForm Factor: Row Of Chips
\tSet: None
\tLocator: ChannelA-DIMM0
\tBank Locator: BANK 0
\tType: LPDDR3
\tType Detail: Synchronous
\tSpeed: 2133 MT/s
\tManufacturer: Samsung
\tSerial Number: 00000000
\tAsset Tag: 9876543210
\tPart Number: K4EBE3 4ED-EGCG
\tRank: 2
\tConfigured Memory Speed: 2133 MT/s
\tMinimum Voltage: 1.2 V
\tMaximum Voltage: 1.2 V
\tConfigured Voltage: 1.2 V
\tMemory Technology: DRAM
\tMemory Operating Mode Capability: Volatile memory
\tFirmware Version: Not Specified
\tModule Manufacturer ID: Bank 1, Hex 0xCE
\tModule Product ID: Unknown
\tMemory Subsystem Controller Manufacturer ID: Unknown
\tMemory Subsystem Controller Product ID: Unknown
\tNon-Volatile Size: None
\tVolatile Size: 8 GB
\tCache Size: None
\tLogical Size: None

Handle 0x000B, DMI type 17, 84 bytes
Memory Device
\tArray Handle: 0x0009
\tError Information Handle: Not Provided
\tTotal Width: 64 bits
\tData Width: 64 bits
\tSize: 8192 MB
\tForm Factor: Row Of Chips
\tSet: None
\tLocator: ChannelB-DIMM0
\tBank Locator: BANK 2
\tType: LPDDR3
\tType Detail: Synchronous
\tSpeed: 2133 MT/s
\tManufacturer: Samsung
\tSerial Number: 00000000
\tAsset Tag: 9876543210
\tPart Number: K4EBE3 4ED-EGCG
\tRank: 2
\tConfigured Memory Speed: 2133 MT/s
\tMinimum Voltage: 1.2 V
\tMaximum Voltage: 1.2 V
\tConfigured Voltage: 1.2 V
\tMemory Technology: DRAM
\tMemory Operating Mode Capability: Volatile memory
\tFirmware Version: Not Specified
\tModule Manufacturer ID: Bank 1, Hex 0xCE
\tModule Product ID: Unknown
\tMemory Subsystem Controller Manufacturer ID: Unknown
\tMemory Subsystem Controller Product ID: Unknown
\tNon-Volatile Size: None
\tVolatile Size: 8 GB
\tCache Size: None
\tLogical Size: None

Handle 0x000C, DMI type 19, 31 bytes
Memory Array Mapped Address
\tStarting Address: 0x00000000000
\tEnding Address: 0x003FFFFFFFF
\tRange Size: 16 GB
\tPhysical Array Handle: 0x0009
\tPartition Width: 2
"""

# `sudo dmidecode --type memory` of a laptop with two SO-DIMMs, from a French blog post on
# inspecting one's hardware. The blog's Markdown lost the tabs and added two trailing spaces per
# line; kept as published (the parser must not depend on the tabs). Cut after the second device.
_SODIMM_AS_PUBLISHED = """\
# dmidecode 3.2
Getting SMBIOS data from sysfs.
SMBIOS 3.2.1 present.
# SMBIOS implementations newer than version 3.2.0 are not
# fully supported by this version of dmidecode.

Handle 0x0008, DMI type 16, 23 bytes
Physical Memory Array
Location: System Board Or Motherboard
Use: System Memory
Error Correction Type: None
Maximum Capacity: 32 GB
Error Information Handle: Not Provided
Number Of Devices: 2

Handle 0x002B, DMI type 17, 84 bytes
Memory Device
Array Handle: 0x0008
Error Information Handle: Not Provided
Total Width: 64 bits
Data Width: 64 bits
Size: 4096 MB
Form Factor: SODIMM
Set: None
Locator: ChannelA-DIMM0
Bank Locator: BANK 0
Type: DDR4
Type Detail: Synchronous
Speed: 2400 MT/s
Manufacturer: Samsung
Serial Number: 00000000
Asset Tag: 9876543210
Part Number: M471A5244CB0-CRC
Rank: 1
Configured Memory Speed: 2400 MT/s
Minimum Voltage: 1.2 V
Maximum Voltage: 1.2 V
Configured Voltage: 1.2 V
Memory Technology: DRAM

Handle 0x002C, DMI type 17, 84 bytes
Memory Device
Array Handle: 0x0008
Error Information Handle: Not Provided
Total Width: 64 bits
Data Width: 64 bits
Size: 4096 MB
Form Factor: SODIMM
Set: None
Locator: ChannelB-DIMM0
Bank Locator: BANK 2
Type: DDR4
Type Detail: Synchronous
Speed: 2400 MT/s
Manufacturer: Samsung
Serial Number: 00000000
Asset Tag: 9876543210
Part Number: M471A5244CB0-CRC
Rank: 1
Configured Memory Speed: 2400 MT/s
Minimum Voltage: 1.2 V
Maximum Voltage: 1.2 V
Configured Voltage: 1.2 V
"""
# Every line carried two trailing spaces on the page (Markdown line breaks): put them back.
DMIDECODE_SODIMM_NO_TABS = "".join(f"{line}  \n" for line in _SODIMM_AS_PUBLISHED.splitlines())

# EDID base blocks from the linux-hardware.org EDID repository (github.com/linuxhw/EDID), with
# what edid-decode printed for each there.
# Digital/LG Display/LGD0201/1ADB7B1AF094 — 1366x768 laptop panel, no name descriptor.
EDID_LGD_PANEL = bytes.fromhex("""
00 ff ff ff ff ff ff 00 30 e4 01 02 00 00 00 00
00 14 01 04 80 1f 11 78 0a 88 45 95 5a 56 8d 28
23 50 54 00 00 00 01 01 01 01 01 01 01 01 01 01
01 01 01 01 01 01 56 1d 56 c6 50 00 20 30 30 20
35 00 36 ae 10 00 00 19 8f 13 56 c6 50 00 20 30
30 20 35 00 36 ae 10 00 00 19 00 00 00 00 00 00
00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02
00 0f 44 ff 0c 3c 64 16 11 1d 64 00 00 00 00 ad
""")
# Digital/Dell/DEL2005/0771A94A1DAD — Dell D1918H monitor (base block + one CTA-861 extension).
EDID_DELL_D1918H = bytes.fromhex("""
00 ff ff ff ff ff ff 00 10 ac 05 20 01 01 01 01
06 1c 01 03 80 29 17 78 2a eb c5 a2 57 54 a0 27
0c 50 54 a5 4b 00 01 01 01 01 01 01 01 01 01 01
01 01 01 01 01 01 66 21 56 aa 51 00 1e 30 46 8f
33 00 9a e6 10 00 00 1e 00 00 00 ff 00 32 43 38
46 4a 38 32 35 35 4b 35 45 0a 00 00 00 fc 00 44
31 39 31 38 48 0a 20 20 20 20 20 20 00 00 00 fd
00 38 4b 1e 53 09 00 0a 20 20 20 20 20 20 01 80

02 03 1f f0 4c 10 04 13 03 02 12 11 07 06 16 15
01 23 09 07 01 83 01 00 00 65 03 0c 00 10 00 02
3a 80 18 71 38 2d 40 58 2c 45 00 9a e6 10 00 00
1f 01 1d 00 72 51 d0 1e 20 6e 28 55 00 9a e6 10
00 00 1f 01 1d 00 bc 52 d0 1e 20 b8 28 55 40 9a
e6 10 00 00 1e 8c 0a d0 8a 20 e0 2d 10 10 3e 96
00 9a e6 10 00 00 18 8c 0a d0 90 20 40 31 20 0c
40 55 00 9a e6 10 00 00 18 00 00 00 00 00 00 eb
""")
# Digital/AU Optronics/AUO313E/655F2364AD0F — 1600x900 laptop panel, part number in 0xFE text.
EDID_AUO_PANEL = bytes.fromhex("""
00 ff ff ff ff ff ff 00 06 af 3e 31 00 00 00 00
21 14 01 04 90 1f 11 78 02 cc ce 99 58 50 8e 26
24 4b 53 00 00 00 01 01 01 01 01 01 01 01 01 01
01 01 01 01 01 01 b0 2c 40 ce 61 84 18 30 40 2a
33 00 35 ae 10 00 00 1a b0 2c 40 84 63 84 f4 30
40 2a 33 00 35 ae 10 00 00 1a 00 00 00 fe 00 54
36 4e 33 4e 80 42 31 34 30 52 57 33 00 00 00 00
00 00 41 21 9e 00 11 00 00 02 01 0a 20 20 00 0f
""")

# /sys/class/power_supply/*/uevent as printed in public posts.
# ThinkPad battery, energy in µWh; kernel of the time printed no POWER_SUPPLY_TYPE line
# (2daygeek.com, "check laptop battery status and charging state in Linux terminal").
UEVENT_THINKPAD_ENERGY = """\
POWER_SUPPLY_NAME=BAT0
POWER_SUPPLY_STATUS=Charging
POWER_SUPPLY_PRESENT=1
POWER_SUPPLY_TECHNOLOGY=Li-ion
POWER_SUPPLY_CYCLE_COUNT=0
POWER_SUPPLY_VOLTAGE_MIN_DESIGN=14800000
POWER_SUPPLY_VOLTAGE_NOW=15840000
POWER_SUPPLY_POWER_NOW=27656000
POWER_SUPPLY_ENERGY_FULL_DESIGN=60000000
POWER_SUPPLY_ENERGY_FULL=52260000
POWER_SUPPLY_ENERGY_NOW=26660000
POWER_SUPPLY_CAPACITY=51
POWER_SUPPLY_CAPACITY_LEVEL=Normal
POWER_SUPPLY_MODEL_NAME=L14M4P23
POWER_SUPPLY_MANUFACTURER=SMP
POWER_SUPPLY_SERIAL_NUMBER= 756
"""
# A battery counting charge in µAh (quoted in a Go power-manager's comments, "Arch Linux").
UEVENT_CHARGE = """\
POWER_SUPPLY_NAME=BAT0
POWER_SUPPLY_STATUS=Full
POWER_SUPPLY_PRESENT=1
POWER_SUPPLY_TECHNOLOGY=Li-ion
POWER_SUPPLY_CYCLE_COUNT=0
POWER_SUPPLY_VOLTAGE_MIN_DESIGN=14800000
POWER_SUPPLY_VOLTAGE_NOW=16636000
POWER_SUPPLY_CURRENT_NOW=0
POWER_SUPPLY_CHARGE_FULL_DESIGN=2200000
POWER_SUPPLY_CHARGE_FULL=2167000
POWER_SUPPLY_CHARGE_NOW=2167000
POWER_SUPPLY_CAPACITY=100
POWER_SUPPLY_CAPACITY_LEVEL=Full
POWER_SUPPLY_MODEL_NAME=MWL31b
POWER_SUPPLY_MANUFACTURER=SMP-SDI2
POWER_SUPPLY_SERIAL_NUMBER=
"""
# A worn Lenovo battery with its cycle count (a blog post on reading battery health).
UEVENT_WORN = """\
POWER_SUPPLY_NAME=BAT0
POWER_SUPPLY_TYPE=Battery
POWER_SUPPLY_STATUS=Discharging
POWER_SUPPLY_PRESENT=1
POWER_SUPPLY_TECHNOLOGY=Li-poly
POWER_SUPPLY_CYCLE_COUNT=419
POWER_SUPPLY_VOLTAGE_MIN_DESIGN=11520000
POWER_SUPPLY_VOLTAGE_NOW=11163000
POWER_SUPPLY_POWER_NOW=7222000
POWER_SUPPLY_ENERGY_FULL_DESIGN=57020000
POWER_SUPPLY_ENERGY_FULL=48970000
POWER_SUPPLY_ENERGY_NOW=20480000
POWER_SUPPLY_CAPACITY=41
POWER_SUPPLY_CAPACITY_LEVEL=Normal
POWER_SUPPLY_MODEL_NAME=5B10W139
POWER_SUPPLY_MANUFACTURER=SMP
POWER_SUPPLY_SERIAL_NUMBER= 1253
"""
# Mains adapter and a USB-C port of a Lenovo Legion Go S, verbatim from a test suite.
UEVENT_ACAD = """\
DEVTYPE=power_supply
POWER_SUPPLY_NAME=ACAD
POWER_SUPPLY_TYPE=Mains
POWER_SUPPLY_ONLINE=0
POWER_SUPPLY_TYPE=Mains
"""
UEVENT_USBC = """\
DEVTYPE=power_supply
POWER_SUPPLY_NAME=ucsi-source-psy-USBC000:001
POWER_SUPPLY_TYPE=USB
POWER_SUPPLY_ONLINE=0
"""


# /proc/cpuinfo of a two-socket Xeon Gold 5218 VM (4 cores per socket), from a public notes file
# ("fat 八核 八线程"); the poster trimmed every CPU but the last after its apicid line.
CPUINFO_XEON_2_SOCKETS = """\
processor\t: 0
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 85
model name\t: Intel(R) Xeon(R) Gold 5218 CPU @ 2.30GHz
stepping\t: 7
microcode\t: 0x5002f00
cpu MHz\t\t: 2294.609
cache size\t: 22528 KB
physical id\t: 0
siblings\t: 4
core id\t\t: 0
cpu cores\t: 4
apicid\t\t: 0

processor\t: 1
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 85
model name\t: Intel(R) Xeon(R) Gold 5218 CPU @ 2.30GHz
stepping\t: 7
microcode\t: 0x5002f00
cpu MHz\t\t: 2294.609
cache size\t: 22528 KB
physical id\t: 0
siblings\t: 4
core id\t\t: 1
cpu cores\t: 4
apicid\t\t: 1

processor\t: 2
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 85
model name\t: Intel(R) Xeon(R) Gold 5218 CPU @ 2.30GHz
stepping\t: 7
microcode\t: 0x5002f00
cpu MHz\t\t: 2294.609
cache size\t: 22528 KB
physical id\t: 0
siblings\t: 4
core id\t\t: 2
cpu cores\t: 4
apicid\t\t: 2

processor\t: 3
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 85
model name\t: Intel(R) Xeon(R) Gold 5218 CPU @ 2.30GHz
stepping\t: 7
microcode\t: 0x5002f00
cpu MHz\t\t: 2294.609
cache size\t: 22528 KB
physical id\t: 0
siblings\t: 4
core id\t\t: 3
cpu cores\t: 4
apicid\t\t: 3

processor\t: 4
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 85
model name\t: Intel(R) Xeon(R) Gold 5218 CPU @ 2.30GHz
stepping\t: 7
microcode\t: 0x5002f00
cpu MHz\t\t: 2294.609
cache size\t: 22528 KB
physical id\t: 1
siblings\t: 4
core id\t\t: 0
cpu cores\t: 4
apicid\t\t: 4

processor\t: 5
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 85
model name\t: Intel(R) Xeon(R) Gold 5218 CPU @ 2.30GHz
stepping\t: 7
microcode\t: 0x5002f00
cpu MHz\t\t: 2294.609
cache size\t: 22528 KB
physical id\t: 1
siblings\t: 4
core id\t\t: 1
cpu cores\t: 4
apicid\t\t: 5

processor\t: 6
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 85
model name\t: Intel(R) Xeon(R) Gold 5218 CPU @ 2.30GHz
stepping\t: 7
microcode\t: 0x5002f00
cpu MHz\t\t: 2294.609
cache size\t: 22528 KB
physical id\t: 1
siblings\t: 4
core id\t\t: 2
cpu cores\t: 4
apicid\t\t: 6

processor\t: 7
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 85
model name\t: Intel(R) Xeon(R) Gold 5218 CPU @ 2.30GHz
stepping\t: 7
microcode\t: 0x5002f00
cpu MHz\t\t: 2294.609
cache size\t: 22528 KB
physical id\t: 1
siblings\t: 4
core id\t\t: 3
cpu cores\t: 4
apicid\t\t: 7
initial apicid\t: 7
fpu\t\t: yes
fpu_exception\t: yes
cpuid level\t: 22
wp\t\t: yes
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc arch_perfmon nopl xtopology tsc_reliable nonstop_tsc eagerfpu pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch ssbd ibrs ibpb stibp ibrs_enhanced fsgsbase tsc_adjust bmi1 avx2 smep bmi2 invpcid avx512f avx512dq rdseed adx smap clflushopt clwb avx512cd avx512bw avx512vl xsaveopt xsavec xgetbv1 arat pku ospke avx512_vnni spec_ctrl intel_stibp flush_l1d arch_capabilities
bogomips\t: 4589.21
clflush size\t: 64
cache_alignment\t: 64
address sizes\t: 45 bits physical, 48 bits virtual
power management:
"""
