# Joins the generated dialect and interface docs into docs/ir.md.
# Usage: cmake -DDIALECT=a.md -DINTERFACES=b.md -DOUT=ir.md -P ConcatIrDoc.cmake
file(READ ${DIALECT} _dialect)
file(READ ${INTERFACES} _interfaces)
file(WRITE ${OUT}
"<!-- Generated from ir/*.td by the build (docs/CMakeLists.txt). Do not edit: edit the .td files. -->\n\n"
"${_dialect}\n"
"# Op interfaces\n\n"
"Declared in `ir/LoomInterfaces.td`; the passes that use them attach them to ops.\n\n"
"${_interfaces}")
