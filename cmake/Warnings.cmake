# Warnings are errors for our own code; third-party headers come in as system includes.
add_compile_options(-Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor -Wformat=2
                    -Wno-missing-field-initializers)
