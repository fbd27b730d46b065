// Started without jdk.incubator.vector, the kernels fall back to the JDK's bulk operations, silently.
def expected = new File(basedir, 'expected-output.txt').text
def without = new File(basedir, 'target/without-vector-api.txt').text
assert without == expected

// With the module added (the option README.md describes), the JVM warns first, then the Vector kernels run.
def with = new File(basedir, 'target/with-vector-api.txt').text
assert with == 'WARNING: Using incubator modules: jdk.incubator.vector\n' + expected.replace('BULK', 'VECTOR')
true
