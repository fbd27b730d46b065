// ECJ reports one note: without javac's tree API the processor checks scopes by their return types. Then the
// program's output, the same as under javac.
def output = new File(basedir, 'target/output.txt').text
def expected = new File(basedir, 'expected-output.txt').text
assert output.endsWith(expected)
def compilerOutput = output.substring(0, output.length() - expected.length())
assert compilerOutput.count('[nebula/ScopeCheck]') == 1
assert compilerOutput.contains('1 problem (1 info)')
assert !compilerOutput.contains('WARNING') && !compilerOutput.contains('ERROR')
true
