# ASan + UBSan for the whole tree; UBSan findings abort so a test that trips one fails.
add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g)
add_link_options(-fsanitize=address,undefined)
