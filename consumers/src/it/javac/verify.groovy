// javac prints nothing when it compiles cleanly with -Xlint:all -Werror; the program's output is all there is.
assert new File(basedir, 'target/output.txt').text == new File(basedir, 'expected-output.txt').text
true
