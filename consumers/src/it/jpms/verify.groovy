// A named module on the module path, without jdk.incubator.vector: the same output as on the class path.
assert new File(basedir, 'target/module-path.txt').text == new File(basedir, 'expected-output.txt').text
true
