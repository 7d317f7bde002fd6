from ascolto.cli import main

main()
